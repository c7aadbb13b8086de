// Invitations from the other side: a person who already has an account
// signs in from the mail link and joins with one click; an unknown link
// says so and offers sign-in. Also: moving an own booking to another free
// time, and a weekly series.
import { expect, test } from '@playwright/test';
import { PASSWORD, screen, tick } from './helpers';
import { Seed, siteDate } from './seed';
import { deliverMails, invitationLink, startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('a signed-in person joins from the link; an unknown link says so', async ({ page }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('leitung@generalbau.example');
  const project = await owner.project('Bürohaus Nord');
  await owner.resource(project, 'hoist', 'Bauaufzug 1');
  const guest = new Seed(server.url);
  await guest.registerAdmin('planung@statik.example', 'Statik Partner GmbH');
  await owner.call('POST', `/api/projects/${project}/invitations`, { email: 'planung@statik.example', role: 'member', consentConfirmed: true });
  await deliverMails(server);
  const link = invitationLink(server, 'planung@statik.example');

  await page.goto(link);
  await page.getByRole('link', { name: 'Erst anmelden, dann beitreten' }).click();
  await page.getByLabel('E-Mail-Adresse').fill('planung@statik.example');
  await page.getByLabel('Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await expect(page.getByText('Sie sind als Anna Bauer angemeldet. Treten Sie dem Projekt bei?')).toBeVisible();
  await screen(page, '26-einladung-beitreten');
  await page.getByRole('button', { name: 'Projekt beitreten' }).click();
  await expect(page.getByRole('heading', { name: /^Tagesplan/ })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: /Bauaufzug 1/ })).toBeVisible();

  // A second click on the same link: the API answers 410, and the page says
  // the invitation was used (not that it is unknown).
  await page.goto(link);
  await page.getByRole('button', { name: 'Projekt beitreten' }).click();
  await expect(page.getByText(/bereits verwendet/)).toBeVisible();

  await page.goto(`${server.url}/invitations/kein-gueltiger-link`);
  await page.getByRole('button', { name: 'Projekt beitreten' }).click();
  await expect(page.getByText('Diese Einladung kennen wir nicht. Bitte prüfen Sie den Link aus der E-Mail.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Zur Anmeldung' })).toBeVisible();
  await screen(page, '27-einladung-unbekannt');
});

test('an own booking moves to another free time', async ({ page }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('verschieben@generalbau.example');
  const project = await seed.project('Schule Süd');
  const zone = await seed.resource(project, 'unloadingZone', 'Zone Schulhof');
  const date = siteDate(5);
  const [y, m, d] = date.split('-').map(Number);
  // 09:00 Vienna on that date (UTC+1 in winter, +2 in summer: take it from Intl).
  const offset = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Vienna', timeZoneName: 'shortOffset' })
    .formatToParts(new Date(Date.UTC(y, m - 1, d, 12)))
    .find((p) => p.type === 'timeZoneName')!.value.replace('GMT', '');
  const start = new Date(Date.UTC(y, m - 1, d, 9 - Number(offset)));
  await seed.book(project, [zone], start.toISOString(), new Date(start.getTime() + 3_600_000).toISOString());

  await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(`/p/${project}/my-bookings`)}`);
  await page.getByLabel('E-Mail-Adresse').fill('verschieben@generalbau.example');
  await page.getByLabel('Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByRole('link', { name: 'Buchung um 09:00 verschieben' }).click();
  await expect(page.getByRole('heading', { name: 'Buchung verschieben' })).toBeVisible();
  await tick(page.getByRole('radio', { name: '13:00' }));
  await screen(page, '28-verschieben');
  await page.getByRole('button', { name: 'Auf 13:00 verschieben' }).click();
  await expect(page.getByRole('heading', { name: 'Verschoben' })).toBeVisible();
  await page.getByRole('link', { name: 'Meine Buchungen' }).first().click();
  await expect(page.getByRole('heading', { name: /13:00–14:00/ })).toBeVisible();
});

test('a weekly series books every occurrence at once', async ({ page }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('serie@generalbau.example');
  const project = await seed.project('Halle West');
  const zone = await seed.resource(project, 'storageArea', 'Lagerfläche A');
  await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(`/p/${project}/book?res=${zone}&dur=120&date=${siteDate(4)}`)}`);
  await page.getByLabel('E-Mail-Adresse').fill('serie@generalbau.example');
  await page.getByLabel('Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await tick(page.getByRole('radio', { name: '07:00' }));
  await page.getByLabel('Material').fill('Bewehrungsstahl');
  await page.getByRole('checkbox', { name: 'Wöchentlich wiederholen' }).check();
  await page.getByLabel('Anzahl der Termine').fill('3');
  await page.getByRole('button', { name: 'Um 07:00 buchen' }).click();
  await expect(page.getByRole('heading', { name: 'Gebucht (3)' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: '07:00–09:00 · Lagerfläche A' })).toHaveCount(3);
});
