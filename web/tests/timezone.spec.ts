// The spring-forward day in Vienna (2027-03-28, 02:00 → 03:00) shown in the
// project's time zone while the browser runs in New York.
import { expect, test } from '@playwright/test';
import { screen, signIn } from './helpers';
import { Seed } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test.use({ timezoneId: 'America/New_York' });

test('the Vienna spring-forward day shows site hours, not the browser’s', async ({ page }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('zeit@generalbau.example');
  const project = await seed.project('Zeitumstellung', 'Europe/Vienna');
  // Open through the night so the missing hour is inside the grid.
  const crane = await seed.resource(project, 'crane', 'Kran Ost', '00:00', '12:00');
  // 08:00–09:00 Vienna summer time is 06:00Z.
  await seed.book(project, [crane], '2027-03-28T06:00:00Z', '2027-03-28T07:00:00Z');
  // 01:00–04:00 Vienna spans the gap: two real hours.
  await seed.book(project, [crane], '2027-03-28T00:00:00Z', '2027-03-28T02:00:00Z', { company: 'Nachtbau' });

  expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('America/New_York');
  await signIn(page, server.url, 'zeit@generalbau.example', `/p/${project}/board?date=2027-03-28`);
  await expect(page.getByRole('heading', { name: 'Tagesplan – Sonntag, 28. März 2027' })).toBeVisible();
  const headers = await page.getByRole('columnheader').allTextContents();
  // The hour after 01:00 is 03:00: 02:00 does not exist that night.
  expect(headers.slice(0, 5)).toEqual(['Ressource', '00:00', '01:00', '03:00', '04:00']);
  await expect(page.getByRole('button', { name: /^08:00–09:00, Freigegeben, Beton Huber GmbH/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /^01:00–04:00, Freigegeben, Nachtbau/ })).toBeVisible();
  await screen(page, '21-tagesplan-zeitumstellung');

  // The free-time picker speaks site time too.
  await page.goto(`${server.url}/p/${project}/book?res=${crane}&dur=60&date=2027-03-28`);
  const times = page.getByRole('group', { name: /Freie Startzeiten/ });
  await expect(times.getByRole('radio', { name: '04:00' })).toBeVisible();
  await expect(times.getByRole('radio', { name: '08:00' })).toHaveCount(0);
  await expect(times.getByRole('radio', { name: '09:00' })).toBeVisible();
  await expect(times.getByRole('radio', { name: '02:00' })).toHaveCount(0);
});
