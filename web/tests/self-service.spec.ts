// Issue 17, part 2 (account side): the privacy policy from the footer
// (signed out and in), the contact form and the support inbox (P14), the
// organization and its deletion, the utilization report (charts, table,
// CSV), resending an invitation and leaving a project, per-kind
// notifications (P6) and signing out everywhere.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expectNoHorizontalScroll, PASSWORD, screen, signIn } from './helpers';
import { newMember, Seed, workdayZone } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

/** The operator command that makes an account support staff, run against the test server's data folder. */
function grantSupportRole(email: string): void {
  const root = resolve(import.meta.dirname, '..', '..');
  execFileSync(process.env.LMS_BIN ?? join(root, 'target', 'debug', 'insite-lms'), ['grant-support-role', email], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LMS_DATA_DIR: server.dataDir, RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function english(page: Page): Promise<void> {
  await page.getByLabel('Sprache', { exact: true }).first().selectOption('en');
}

test('the privacy policy is linked from every page, signed out and signed in', async ({ page }) => {
  await page.goto(`${server.url}/sign-up`);
  await expect(page.getByRole('contentinfo').getByRole('link', { name: 'Datenschutzerklärung' })).toBeVisible();
  await page.goto(`${server.url}/sign-in`);
  await page.getByRole('contentinfo').getByRole('link', { name: 'Datenschutzerklärung' }).click();
  await expect(page.getByRole('heading', { name: 'Datenschutzerklärung', level: 1 })).toBeVisible();
  await expect(page.getByText(/^Gültige Fassung: \d{4}-\d{2}-\d{2}$/)).toBeVisible();
  const text = page.getByRole('article', { name: 'Text der Datenschutzerklärung' });
  await expect(text).toHaveAttribute('lang', 'de');
  await expect(text).toContainText('Insite LMS');
  await expect(page.getByRole('link', { name: 'Registrieren' })).toBeVisible();
  await screen(page, '80-datenschutz-abgemeldet');
  await english(page);
  await expect(page.getByRole('heading', { name: 'Privacy policy', level: 1 })).toBeVisible();
  await expect(page.getByText('published in German only')).toBeVisible();
  await screen(page, '80-privacy-signed-out-en');
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(page, 'privacy policy on a phone');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByLabel('Language', { exact: true }).selectOption('de');

  const seed = new Seed(server.url);
  await seed.registerAdmin('datenschutz@generalbau.example');
  await signIn(page, server.url, 'datenschutz@generalbau.example');
  await expect(page.getByRole('heading', { name: 'Projekte' })).toBeVisible();
  await page.getByRole('contentinfo').getByRole('link', { name: 'Datenschutzerklärung' }).click();
  await expect(page.getByRole('heading', { name: 'Datenschutzerklärung', level: 1 })).toBeVisible();
  await expect(page.getByText(/Sie haben der Fassung .+ zugestimmt\./)).toBeVisible();
  await expect(page.getByRole('link', { name: /Mein Konto/ })).toBeVisible();
  await screen(page, '81-datenschutz-angemeldet');
  await english(page);
  await expect(page.getByText(/You accepted version/)).toBeVisible();
  await screen(page, '81-privacy-signed-in-en');
});

test('a request sent signed out is answered and closed in the support inbox', async ({ page }) => {
  await page.goto(`${server.url}/sign-in`);
  await page.getByRole('contentinfo').getByRole('link', { name: 'Kontakt und Support' }).click();
  await expect(page.getByRole('heading', { name: 'Kontakt und Support' })).toBeVisible();
  await page.getByLabel('Ihr Name').fill('Paula Polier');
  await page.getByLabel('E-Mail-Adresse').fill('paula@subbau.example');
  await page.getByLabel('Betreff').fill('Kran-Slots am Samstag');
  await page.getByLabel('Nachricht').fill('Können wir am Samstag den Kran buchen?');
  await screen(page, '82-kontakt-formular');
  await page.getByRole('button', { name: 'Anfrage senden' }).click();
  await expect(page.getByRole('status')).toContainText('Ihre Anfrage ist eingegangen');
  await screen(page, '83-kontakt-gesendet');
  await english(page);
  await expect(page.getByText('Your request has arrived')).toBeVisible();
  await screen(page, '83-contact-sent-en');
  await page.getByLabel('Language', { exact: true }).selectOption('de');

  // Not support staff: the inbox says so, and the API refuses.
  const seed = new Seed(server.url);
  await seed.registerAdmin('support@insite.example', 'Insite Service GmbH');
  await signIn(page, server.url, 'support@insite.example', '/support');
  await expect(page.getByText('Der Support-Eingang ist nur für das Support-Team.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Support-Eingang' })).toHaveCount(0);
  await screen(page, '84-support-nur-team');
  await page.getByRole('button', { name: 'Abmelden' }).click();

  grantSupportRole('support@insite.example');
  await signIn(page, server.url, 'support@insite.example');
  await page.getByRole('link', { name: 'Support-Eingang' }).click();
  const request = page.getByRole('article', { name: 'Kran-Slots am Samstag' });
  await expect(request).toContainText('Können wir am Samstag den Kran buchen?');
  await expect(request.getByRole('link', { name: 'paula@subbau.example' })).toHaveAttribute('href', /^mailto:paula@subbau\.example/);
  await screen(page, '85-support-offen');
  await request.getByRole('button', { name: 'Als beantwortet markieren: Kran-Slots am Samstag' }).click();
  await expect(page.getByText('„Kran-Slots am Samstag“ ist als beantwortet markiert.')).toBeVisible();
  await expect(page.getByText('Keine Anfragen mit diesem Status.')).toBeVisible();
  await page.getByRole('link', { name: 'Beantwortet' }).click();
  await expect(page).toHaveURL(/status=answered/);
  await page.getByRole('button', { name: 'Schließen: Kran-Slots am Samstag' }).click();
  await expect(page.getByText('„Kran-Slots am Samstag“ ist geschlossen.')).toBeVisible();
  await page.getByRole('link', { name: 'Geschlossen' }).click();
  await expect(page.getByRole('article', { name: 'Kran-Slots am Samstag' })).toContainText('Geschlossen');
  await expect(page.getByRole('button', { name: /Schließen:/ })).toHaveCount(0);
  await screen(page, '86-support-geschlossen');
  await english(page);
  await expect(page.getByRole('heading', { name: 'Requests: Closed' })).toBeVisible();
  await screen(page, '86-support-closed-en');
});

test('an admin sees the organization and deletes it with a typed confirmation; then nobody can sign in', async ({ page }) => {
  const admin = new Seed(server.url);
  await admin.registerAdmin('chef@abbruch.example', 'Abbruch & Söhne GmbH');
  const project = await admin.project('Altbau Ost');
  await admin.project('Halle Süd');
  await newMember(admin, server, project, { email: 'gast@statik.example', role: 'member', firstName: 'Gustav', lastName: 'Gast', company: 'Statik KG' });

  await signIn(page, server.url, 'chef@abbruch.example');
  await page.getByRole('link', { name: 'Organisation' }).click();
  await expect(page.getByRole('heading', { name: 'Abbruch & Söhne GmbH', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Benutzer' }).getByRole('row', { name: /Anna Bauer/ })).toContainText('chef@abbruch.example');
  await expect(page.getByRole('link', { name: 'Altbau Ost' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Halle Süd' })).toBeVisible();
  await expect(page.getByText('alle 2 Projekte', { exact: false })).toBeVisible();
  await screen(page, '87-organisation');

  // A wrong name deletes nothing.
  const confirm = page.getByLabel('Zur Bestätigung den Namen der Organisation eingeben: Abbruch & Söhne GmbH');
  await confirm.fill('Abbruch und Söhne');
  await page.getByRole('button', { name: 'Organisation endgültig löschen' }).click();
  await expect(confirm).toHaveAccessibleDescription('Der Name stimmt nicht überein; es wurde nichts gelöscht.');
  await screen(page, '88-organisation-name-falsch');
  await english(page);
  await expect(page.getByRole('heading', { name: 'Delete the organization' })).toBeVisible();
  await screen(page, '88-organization-en');
  await page.getByLabel('Language', { exact: true }).selectOption('de');
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(page, 'organization on a phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  await confirm.fill('Abbruch & Söhne GmbH');
  await page.getByRole('button', { name: 'Organisation endgültig löschen' }).click();
  await expect(page.getByText('Die Organisation wurde gelöscht', { exact: false })).toBeVisible();
  await screen(page, '89-organisation-geloescht');
  await page.getByLabel('E-Mail-Adresse').fill('chef@abbruch.example');
  await page.getByLabel('Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Anmelden' })).toBeVisible();
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'chef@abbruch.example', password: PASSWORD }),
  });
  expect(login.status).toBe(401);
});

test('the utilization report shows charts, the same figures as a table, and a CSV', async ({ page }) => {
  const tz = workdayZone();
  const owner = new Seed(server.url);
  await owner.registerAdmin('bericht@generalbau.example');
  const project = await owner.project('Bürohaus Nord', tz);
  const crane = await owner.resource(project, 'crane', 'Kran 1', '00:00', '24:00');
  const gate = await owner.resource(project, 'gate', 'Tor Nord', '00:00', '24:00');
  const step = 15 * 60_000;
  const start = new Date(Math.ceil(Date.now() / step) * step + step);
  const end = new Date(start.getTime() + 60 * 60_000);
  const arrived = await owner.book(project, [crane], start.toISOString(), end.toISOString());
  const turned = await owner.book(project, [gate], start.toISOString(), end.toISOString());

  // The board's details show a booking as it is now, even when the board's list is a poll old.
  await signIn(page, server.url, 'bericht@generalbau.example', `/p/${project}/board`);
  await expect(page.getByRole('button', { name: /Freigegeben, Beton Huber GmbH/ })).toHaveCount(2);
  await owner.call('POST', `/api/projects/${project}/bookings/${arrived}/check-in`, {});
  await owner.call('POST', `/api/projects/${project}/bookings/${turned}/turn-away`, { reason: 'Ladung falsch' });
  await page.getByRole('button', { name: /Freigegeben, Beton Huber GmbH/ }).first().click();
  const details = page.getByRole('dialog', { name: 'Buchung' });
  await expect(details.getByText(/^(Eingecheckt|Abgewiesen)$/)).toBeVisible();
  await page.keyboard.press('Escape');

  await page.getByRole('link', { name: 'Berichte' }).click();
  await expect(page.getByRole('heading', { name: 'Auslastung und Pünktlichkeit' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Gebuchte und offene Minuten' })).toBeVisible();
  await expect(page.getByRole('img', { name: /Insgesamt 60 von 20.160 offenen Minuten gebucht/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /100 % von 1 angekommenen Lieferungen pünktlich/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /0 nicht erschienen, 1 abgewiesen/ })).toBeVisible();
  const table = page.getByRole('table', { name: 'Zahlen je Ressource und Tag' });
  await expect(table.getByRole('row')).toHaveCount(1 + 14);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  await screen(page, '90-bericht');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Als CSV herunterladen' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^auslastung-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await file.path())!, 'utf8').replace(/^\ufeff/, '').split('\r\n');
  expect(csv[0]).toBe(
    'Ressource;Datum;Offen (min);Gebucht (min);Auslastung (%);Buchungen;Angekommen;Pünktlich (%);Mittlere Verspätung (min);Nicht erschienen;Abgewiesen',
  );
  expect(csv).toContain(`Kran 1;${today};1440;60;4;1;1;100;${csv.find((l) => l.startsWith(`Kran 1;${today}`))?.split(';')[8]};0;0`);
  expect(csv).toContain(`Tor Nord;${today};1440;0;0;1;0;;;0;1`);
  expect(csv).toHaveLength(1 + 14 + 1);

  // The period is in the URL; a period too long is refused with the API's reason next to the field.
  await page.getByLabel('Von', { exact: true }).fill('2027-01-01');
  await page.getByLabel('Bis', { exact: true }).fill('2027-12-31');
  await page.getByRole('button', { name: 'Anzeigen' }).click();
  await expect(page).toHaveURL(/from=2027-01-01&to=2027-12-31/);
  await expect(page.getByLabel('Bis', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await screen(page, '91-bericht-zeitraum-zu-lang');
  await page.goBack();
  await expect(table.getByRole('row')).toHaveCount(1 + 14);
  await expect(page.getByLabel('Bis', { exact: true })).toHaveValue(today);
  await english(page);
  await expect(page.getByRole('heading', { name: 'Utilization and punctuality' })).toBeVisible();
  await screen(page, '92-report-en');
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(page, 'report on a phone');
  await screen(page, '93-report-phone');
});

test('an invitation is resent, a member leaves, the last owner is told why not', async ({ page, browser }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('besitzer@rohbau.example');
  const project = await owner.project('Wohnpark West');
  await newMember(owner, server, project, { email: 'leser@planung.example', role: 'viewer', firstName: 'Lea', lastName: 'Leser', company: 'Planung OG' });
  await owner.call('POST', `/api/projects/${project}/invitations`, { email: 'spaet@elektro.example', role: 'member', consentConfirmed: true });

  await signIn(page, server.url, 'besitzer@rohbau.example', `/p/${project}/members`);
  // The consent wording comes from the API, in the person's language.
  const wording = (await (await fetch(`${server.url}/api/invitations/consent-wording`)).json()) as { de: string; en: string; version: string };
  await expect(page.getByRole('checkbox', { name: wording.de })).toBeVisible();
  await expect(page.getByText(`in der Fassung ${wording.version}`)).toBeVisible();
  await page.getByRole('button', { name: 'Einladung an spaet@elektro.example erneut senden' }).click();
  await expect(page.getByText('Die Einladung an spaet@elektro.example ist noch einmal unterwegs.')).toBeVisible();
  await screen(page, '94-einladung-erneut');
  // A second resend right away waits.
  await page.getByRole('button', { name: 'Einladung an spaet@elektro.example erneut senden' }).click();
  await expect(page.getByRole('alert')).toContainText('Zu viele Versuche');
  await english(page);
  await expect(page.getByRole('checkbox', { name: wording.en })).toBeVisible();
  await screen(page, '94-invitation-resent-en');
  await page.getByLabel('Language', { exact: true }).first().selectOption('de');

  // The last owner cannot leave, and is told why in German.
  await page.getByRole('button', { name: 'Projekt verlassen' }).click();
  await page.getByRole('button', { name: 'Ja, verlassen' }).click();
  const refusal = page.getByRole('region', { name: 'Projekt verlassen' }).getByRole('alert');
  await expect(refusal).toContainText('Sie sind der letzte Eigentümer dieses Projekts und können es darum nicht verlassen.');
  await screen(page, '95-letzter-eigentuemer-verlassen');

  // The viewer leaves; the project is gone from their list.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, server.url, 'leser@planung.example', `/p/${project}/members`);
  await viewer.getByRole('button', { name: 'Projekt verlassen' }).click();
  await expect(viewer.getByRole('dialog', { name: 'Projekt verlassen?' })).toBeVisible();
  await screen(viewer, '96-verlassen-dialog');
  await viewer.getByRole('button', { name: 'Ja, verlassen' }).click();
  await expect(viewer.getByText('Sie haben das Projekt „Wohnpark West“ verlassen.')).toBeVisible();
  await expect(viewer.getByRole('link', { name: 'Wohnpark West' })).toHaveCount(0);
  await screen(viewer, '97-projekt-verlassen');
  await viewerContext.close();
  await page.reload();
  await expect(page.getByRole('row', { name: /Lea Leser/ })).toHaveCount(0);
});

test('notifications per kind, and signing out everywhere ends the other browser too', async ({ page, browser }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('ueberall@generalbau.example');
  await signIn(page, server.url, 'ueberall@generalbau.example', '/account');
  await expect(page.getByRole('heading', { name: 'Mein Konto' })).toBeVisible();
  const kinds = page.getByRole('group', { name: 'E-Mails schicken, wenn …' });
  await expect(kinds.getByRole('checkbox')).toHaveCount(3);
  for (const box of await kinds.getByRole('checkbox').all()) await expect(box).not.toBeChecked();
  await kinds.getByRole('checkbox', { name: 'jemand anderes meine Buchung storniert' }).check();
  await expect(page.getByText('Benachrichtigungen sind eingeschaltet.')).toBeVisible();
  await page.reload();
  await expect(kinds.getByRole('checkbox', { name: 'jemand anderes meine Buchung storniert' })).toBeChecked();
  await expect(kinds.getByRole('checkbox', { name: 'meine Buchung freigegeben oder abgelehnt wird' })).not.toBeChecked();
  const me = await seed.call<{ notificationKinds: string[] }>('GET', '/api/me');
  expect(me.notificationKinds).toEqual(['bookingCancelled']);
  await screen(page, '98-benachrichtigungen-je-art');

  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await signIn(other, server.url, 'ueberall@generalbau.example', '/account');
  await expect(other.getByRole('heading', { name: 'Mein Konto' })).toBeVisible();

  await page.getByRole('button', { name: 'Auf allen Geräten abmelden' }).click();
  await expect(page.getByText('Sie sind auf allen Geräten abgemeldet.')).toBeVisible();
  await screen(page, '99-ueberall-abgemeldet');
  // The other browser's session has ended: its next request sends it to sign in.
  await other.goto(`${server.url}/account`);
  await expect(other.getByRole('heading', { name: 'Anmelden' })).toBeVisible();
  await otherContext.close();
  expect((await fetch(`${server.url}/api/me`, { headers: { authorization: `Bearer ${seed.token}` } })).status).toBe(401);
  await english(page);
  await expect(page.getByText('You are signed out on every device.')).toBeVisible();
  await screen(page, '99-signed-out-everywhere-en');
});
