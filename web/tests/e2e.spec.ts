// The whole workflow in the browser, in German: an admin registers, sets
// up a project with a zone and a crane, invites a subcontractor (link read
// from the .eml); the subcontractor books zone + crane through the
// free-time picker; the manager approves; the gate checks in; the day
// board shows the booking as checked in. Every screen is checked with axe
// and photographed.
import { expect, test } from '@playwright/test';
import { PASSWORD, screen, signIn, tick } from './helpers';
import { deliverMails, invitationLink, startServer, type Server } from './server';
import { workdayZone } from './seed';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('admin sets up, subcontractor books, manager approves, gate checks in, board shows it', async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  const base = server.url;

  // Registration shows the privacy policy and records its acceptance.
  await admin.goto(`${base}/`);
  await expect(admin.getByRole('heading', { name: 'Anmelden' })).toBeVisible();
  await admin.getByRole('link', { name: 'Firma registrieren' }).click();
  await expect(admin.getByRole('heading', { name: 'Firma registrieren' })).toBeVisible();
  await expect(admin.getByRole('region', { name: /Datenschutzerklärung, Version/ })).toBeVisible();
  await screen(admin, '01-registrierung');
  await admin.getByLabel('Firma').fill('Generalbau Wien GmbH');
  await admin.getByLabel('Vorname').fill('Anna');
  await admin.getByLabel('Nachname').fill('Bauer');
  await admin.getByLabel('E-Mail-Adresse').fill('anna.bauer@generalbau.example');
  await admin.getByLabel(/^Passwort/).fill(PASSWORD);
  await admin.getByRole('checkbox', { name: /Datenschutzerklärung .* akzeptiere/ }).check();
  await admin.getByRole('button', { name: 'Registrieren' }).click();

  // A project with a zone and a crane, open around the clock, in a time zone
  // where it is day now, so that the test books today at any hour.
  await expect(admin.getByRole('heading', { name: 'Projekte' })).toBeVisible();
  await screen(admin, '02-projekte');
  await admin.getByLabel('Projektname').fill('Wohnbau Seestadt');
  await admin.getByLabel('Adresse der Baustelle').fill('Seestadtstraße 1, 1220 Wien');
  await admin.getByLabel('Zeitzone').selectOption(workdayZone());
  await admin.getByRole('button', { name: 'Projekt anlegen' }).click();
  await expect(admin.getByRole('heading', { name: 'Einrichtung' })).toBeVisible();
  for (const [kind, name] of [
    ['Entladezone', 'Entladezone Nord'],
    ['Kran', 'Turmdrehkran 1'],
  ]) {
    await admin.getByLabel('Art').selectOption({ label: kind });
    await admin.getByLabel('Name der Ressource').fill(name);
    await admin.getByRole('checkbox', { name: 'Rund um die Uhr geöffnet' }).check();
    await admin.getByRole('button', { name: 'Ressource anlegen' }).click();
    await expect(admin.getByText(`${name} wurde angelegt.`)).toBeVisible();
  }
  await screen(admin, '03-einrichtung');
  await admin.getByRole('link', { name: 'Mitglieder', exact: true }).click();
  await admin.getByRole('textbox', { name: 'E-Mail-Adresse' }).fill('max.muster@subbau.example');
  await admin.getByLabel('Rolle', { exact: true }).selectOption({ label: 'Mitglied' });
  await admin.getByRole('checkbox', { name: /einverstanden/ }).check();
  await admin.getByRole('button', { name: 'Einladung senden' }).click();
  await expect(admin.getByText('Einladung an max.muster@subbau.example ist unterwegs.')).toBeVisible();

  // The subcontractor follows the mail's link and creates an account.
  await deliverMails(server);
  const link = invitationLink(server, 'max.muster@subbau.example');
  expect(link.startsWith(`${base}/invitations/`)).toBe(true);
  const subContext = await browser.newContext();
  const sub = await subContext.newPage();
  await sub.goto(link);
  await expect(sub.getByRole('heading', { name: 'Einladung annehmen' })).toBeVisible();
  await screen(sub, '04-einladung-annehmen');
  await sub.getByLabel('Vorname').fill('Max');
  await sub.getByLabel('Nachname').fill('Muster');
  await sub.getByLabel('Firma').fill('Subbau Muster KG');
  await sub.getByLabel('E-Mail-Adresse').fill('max.muster@subbau.example');
  await sub.getByLabel(/^Passwort/).fill(PASSWORD);
  await sub.getByRole('checkbox', { name: /Datenschutzerklärung .* akzeptiere/ }).check();
  await sub.getByRole('button', { name: 'Konto anlegen und beitreten' }).click();
  await expect(sub.getByRole('heading', { name: /^Tagesplan/ })).toBeVisible();
  await screen(sub, '05-tagesplan-leer');

  // The used link now says so and offers sign-in.
  const again = await (await browser.newContext()).newPage();
  await again.goto(link);
  await again.getByLabel('Vorname').fill('X');
  await again.getByLabel('Nachname').fill('Y');
  await again.getByLabel('Firma').fill('Z');
  await again.getByLabel('E-Mail-Adresse').fill('x@y.example');
  await again.getByLabel(/^Passwort/).fill(PASSWORD);
  await again.getByRole('checkbox', { name: /akzeptiere/ }).check();
  await again.getByRole('button', { name: 'Konto anlegen und beitreten' }).click();
  await expect(again.getByText(/bereits verwendet|kennen wir nicht/)).toBeVisible();
  await expect(again.getByRole('link', { name: 'Zur Anmeldung' })).toBeVisible();
  await screen(again, '06-einladung-verbraucht');

  // Zone + crane through the free-time picker.
  await sub.getByRole('link', { name: 'Slot buchen' }).click();
  // The choice lives in the URL, so the box ticks a render later: click, then wait for it.
  for (const name of [/Entladezone Nord/, /Turmdrehkran 1/]) {
    const box = sub.getByRole('checkbox', { name });
    await box.click();
    await expect(box).toBeChecked();
  }
  await sub.getByLabel('Dauer').selectOption({ label: '15 Minuten' });
  const times = sub.getByRole('group', { name: /Freie Startzeiten/ });
  await expect(times).toBeVisible();
  const first = times.getByRole('radio').first();
  const time = (await first.evaluate((el) => el.parentElement?.textContent ?? '')).trim();
  await tick(first);
  await sub.getByLabel('Lieferant').fill('Baustoffe Nord');
  await sub.getByLabel('Fahrzeug').selectOption({ label: 'Betonmischer' });
  await sub.getByLabel('Kennzeichen').fill('W-12345B');
  await sub.getByLabel('Material').fill('Transportbeton C25/30');
  await sub.getByLabel('Menge').fill('8 m³');
  await screen(sub, '07-slot-buchen');
  await sub.getByRole('button', { name: `Um ${time} buchen` }).click();
  await expect(sub.getByRole('heading', { name: 'Gebucht (1)' })).toBeVisible();
  await expect(sub.getByText('Angefragt')).toBeVisible();
  await screen(sub, '08-gebucht');
  await sub.getByRole('link', { name: 'Meine Buchungen' }).first().click();
  await expect(sub.getByRole('heading', { name: 'Meine Buchungen' })).toBeVisible();
  await expect(sub.getByText('Entladezone Nord + Turmdrehkran 1')).toBeVisible();
  await screen(sub, '09-meine-buchungen');
  await sub.getByRole('button', { name: /stornieren/ }).click();
  await expect(sub.getByRole('dialog', { name: 'Buchung stornieren' })).toBeVisible();
  await screen(sub, '10-stornieren-dialog');
  await sub.getByRole('button', { name: 'Zurück' }).click();

  // The manager approves.
  await admin.getByRole('link', { name: 'Freigaben' }).click();
  await expect(admin.getByRole('cell', { name: 'Subbau Muster KG', exact: true })).toBeVisible();
  await screen(admin, '11-freigaben');
  await admin.getByRole('checkbox', { name: /auswählen/ }).nth(1).check();
  await admin.getByRole('button', { name: 'Ausgewählte ablehnen (1)' }).click();
  await expect(admin.getByRole('dialog', { name: /ablehnen/ })).toBeVisible();
  await screen(admin, '12-ablehnen-dialog');
  await admin.getByRole('button', { name: 'Zurück' }).click();
  await admin.getByRole('button', { name: 'Ausgewählte freigeben (1)' }).click();
  await expect(admin.getByText('1 freigegeben.')).toBeVisible();
  await expect(admin.getByText('Keine offenen Anfragen.')).toBeVisible();

  // The gate checks in.
  await admin.getByRole('link', { name: 'Tor' }).click();
  await expect(admin.getByText('W-12345B')).toBeVisible();
  await admin.getByLabel('Kennzeichen oder Firma suchen').fill('w-12345');
  await screen(admin, '13-tor');
  await admin.getByRole('button', { name: 'W-12345B abweisen' }).click();
  await expect(admin.getByRole('dialog', { name: 'Anlieferung abweisen' })).toBeVisible();
  await screen(admin, '14-abweisen-dialog');
  await admin.getByRole('button', { name: 'Zurück' }).click();
  await admin.getByRole('button', { name: 'W-12345B einchecken' }).click();
  await expect(admin.getByText('W-12345B ist eingecheckt.')).toBeVisible();
  await expect(admin.getByRole('button', { name: 'W-12345B auschecken' })).toBeVisible();

  // The day board shows it checked in.
  await admin.getByRole('link', { name: 'Tagesplan' }).click();
  const block = admin.getByRole('button', { name: new RegExp(`^${time}–.*Eingecheckt, Subbau Muster KG, Transportbeton`) });
  await expect(block.first()).toBeVisible();
  await expect(block).toHaveCount(2); // one block per resource: zone and crane
  await screen(admin, '15-tagesplan');
  await block.first().click();
  await expect(admin.getByRole('dialog', { name: 'Buchung' })).toBeVisible();
  await screen(admin, '16-buchung-dialog');
  await admin.getByRole('button', { name: 'Schließen' }).click();
  await admin.getByRole('combobox', { name: 'Ansicht' }).selectOption({ label: 'Woche' });
  await expect(admin.getByRole('heading', { name: /Woche ab/ })).toBeVisible();
  await screen(admin, '17-wochenansicht');

  // Wrong password: a plain message.
  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto(`${base}/sign-in`);
  await stranger.getByLabel('E-Mail-Adresse').fill('anna.bauer@generalbau.example');
  await stranger.getByLabel('Passwort').fill('falsch-falsch-falsch');
  await stranger.getByRole('button', { name: 'Anmelden' }).click();
  await expect(stranger.getByRole('alert')).toContainText('Bitte melden Sie sich an');
  await screen(stranger, '18-anmelden-fehler');
  await signIn(stranger, base, 'anna.bauer@generalbau.example');
  await expect(stranger.getByRole('heading', { name: 'Projekte' })).toBeVisible();
});
