// My account: profile and language, notification opt-in (P6), login history
// (P9), the personal calendar feed (show, copy, revoke), password change
// with the API's field errors, the data export (P11), and account deletion
// (P11): the only admin is told what to do first; a person who deletes
// their account cannot sign in afterwards.
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { expectNoHorizontalScroll, PASSWORD, screen, signIn } from './helpers';
import { newMember, Seed } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('my account: profile, notifications, sign-ins, calendar feed, password, export', async ({ page, context }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('konto@generalbau.example');
  const project = await seed.project('Bürohaus Nord');
  await seed.project('Halle West');
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);

  await signIn(page, server.url, 'konto@generalbau.example');
  await expect(page.getByRole('heading', { name: 'Projekte' })).toBeVisible();
  await page.getByRole('link', { name: /Anna Bauer – Mein Konto/ }).click();
  await expect(page.getByRole('heading', { name: 'Mein Konto' })).toBeVisible();
  // Two sign-ins so far: the seed's and the browser's.
  await expect(page.getByRole('region', { name: 'Letzte Anmeldungen' }).getByRole('listitem')).toHaveCount(2);
  await screen(page, '40-konto');

  // Profile.
  await page.getByLabel('Vorname').fill('Annemarie');
  await page.getByRole('button', { name: 'Profil speichern' }).click();
  await expect(page.getByText('Gespeichert.')).toBeVisible();
  await expect(page.getByRole('link', { name: /Annemarie Bauer/ })).toBeVisible();

  // Notifications are off until turned on, and stay on after a reload.
  const optIn = page.getByRole('checkbox', { name: 'meine Buchung freigegeben oder abgelehnt wird' });
  await expect(optIn).not.toBeChecked();
  await optIn.check();
  await expect(page.getByText('Benachrichtigungen sind eingeschaltet.')).toBeVisible();
  await page.reload();
  await expect(optIn).toBeChecked();

  // The calendar feed: the project is kept in the URL; the link works until it is revoked.
  await page.getByLabel('Projekt', { exact: true }).selectOption({ label: 'Bürohaus Nord' });
  await expect(page).toHaveURL(new RegExp(`feed=${project}`));
  await page.getByRole('button', { name: 'Link erstellen und anzeigen' }).click();
  const link = page.getByRole('textbox', { name: 'Feed-Link' });
  await expect(link).toHaveValue(/calendar\.ics/);
  const url = await link.inputValue();
  expect(url.startsWith(server.url)).toBe(true);
  expect((await page.request.get(url)).status()).toBe(200);
  await page.getByRole('button', { name: 'Link kopieren' }).click();
  await expect(page.getByText('Der Link ist in der Zwischenablage.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await screen(page, '41-kalender-feed');
  await page.getByRole('button', { name: 'Link widerrufen' }).click();
  await expect(page.getByText('Der Link ist widerrufen und funktioniert nicht mehr.')).toBeVisible();
  expect((await page.request.get(url)).status()).not.toBe(200);

  // Password: the API's field error next to its field, a wrong current password, then a change.
  await page.getByLabel('Aktuelles Passwort').fill(PASSWORD);
  await page.getByLabel('Neues Passwort').fill('passwort123');
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  await expect(page.getByLabel('Neues Passwort')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Neues Passwort')).toHaveAccessibleDescription(/.+/);
  await screen(page, '42-passwort-feldfehler');
  await page.getByLabel('Aktuelles Passwort').fill('Falsches-Passwort-2027');
  await page.getByLabel('Neues Passwort').fill('Neuer-Kranplatz-Schluessel-2028');
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  await expect(page.getByLabel('Aktuelles Passwort')).toHaveAccessibleDescription('Das Passwort stimmt nicht.');
  await page.getByLabel('Aktuelles Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Passwort ändern' }).click();
  await expect(page.getByText('Das Passwort ist geändert. Alle anderen Sitzungen sind beendet.')).toBeVisible();
  // The seed's session was another session: it has ended.
  const r = await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${seed.token}` } });
  expect(r.status).toBe(401);

  // Download my data: a JSON file with the person in it.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Meine Daten herunterladen' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^insite-lms-meine-daten-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = readFileSync((await file.path())!, 'utf8');
  expect(exported).toContain('konto@generalbau.example');
  await expect(page.getByText('Die Datei wurde heruntergeladen.')).toBeVisible();

  // English, via the profile's language.
  await page.getByLabel('Sprache', { exact: true }).last().selectOption('en');
  await page.getByRole('button', { name: 'Profil speichern' }).click();
  await expect(page.getByRole('heading', { name: 'My account' })).toBeVisible();
  await screen(page, '43-account-en');
});

test('the only admin is told what to do first; a deleted account cannot sign in', async ({ page }) => {
  const admin = new Seed(server.url);
  await admin.registerAdmin('einzige@generalbau.example');
  const project = await admin.project('Schule Süd');
  await newMember(admin, server, project, { email: 'fahrer@spedition.example', role: 'member', firstName: 'Franz', lastName: 'Fahrer', company: 'Spedition Ost' });

  // The only admin of an organization may not delete the account: the API says what to do first.
  await signIn(page, server.url, 'einzige@generalbau.example', '/account');
  await expect(page.getByRole('heading', { name: 'Mein Konto' })).toBeVisible();
  await expect(page.getByText('Bleiben pseudonymisiert', { exact: false })).toBeVisible();
  await page.getByLabel('Passwort zur Bestätigung').fill(PASSWORD);
  await page.getByRole('button', { name: 'Konto endgültig löschen' }).click();
  await expect(page.getByText('Ihr Konto kann noch nicht gelöscht werden.', { exact: false })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('only admin');
  await screen(page, '44-konto-loeschen-blockiert');
  await page.getByRole('button', { name: /Abmelden/ }).click();

  // A member deletes their account with their password, and cannot sign in afterwards.
  await signIn(page, server.url, 'fahrer@spedition.example', '/account');
  await expect(page.getByRole('heading', { name: 'Mein Konto' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Abschnitte' }).getByRole('link', { name: 'Konto löschen' }).click();
  await expect(page).toHaveURL(/#delete-h$/);
  await page.getByLabel('Passwort zur Bestätigung').fill('Falsches-Passwort-2027');
  await page.getByRole('button', { name: 'Konto endgültig löschen' }).click();
  await expect(page.getByLabel('Passwort zur Bestätigung')).toHaveAccessibleDescription('Das Passwort stimmt nicht.');
  await page.getByLabel('Passwort zur Bestätigung').fill(PASSWORD);
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(page, 'account on a phone');
  await screen(page, '45-konto-loeschen-telefon');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('button', { name: 'Konto endgültig löschen' }).click();
  await expect(page.getByText('Ihr Konto wurde gelöscht.', { exact: false })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Anmelden' })).toBeVisible();
  await page.getByLabel('E-Mail-Adresse').fill('fahrer@spedition.example');
  await page.getByLabel('Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Anmelden' })).toBeVisible();
  await screen(page, '46-nach-loeschung-anmelden');
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'fahrer@spedition.example', password: PASSWORD }),
  });
  expect(login.status).toBe(401);
});
