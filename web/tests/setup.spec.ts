// Project set-up: an owner sets up a resource with hours per weekday and a
// closure, and the booking screen honours them; project settings; a member
// and a manager see why they may not; the audit log shows the changes,
// filtered and paged; deleting the project names what goes with it.
import { expect, test } from '@playwright/test';
import { expectNoHorizontalScroll, screen, signIn } from './helpers';
import { newMember, Seed, siteDate } from './seed';
import { startServer, type Server } from './server';
import { nextWorkday, uploadText, zonedInstant } from './upload-seed';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('an owner sets up a resource with hours and a closure; booking in the closure is refused', async ({ page }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('eigentuemerin@rohbau.example');
  const project = await owner.project('Wohnbau Seestadt');
  // A workday, so that only the closure keeps 10:00 from being free.
  const closure = nextWorkday(3);

  await signIn(page, server.url, 'eigentuemerin@rohbau.example', `/p/${project}/setup`);
  await expect(page.getByRole('heading', { name: 'Einrichtung', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Einrichtung' })).toHaveAttribute('aria-current', 'page');
  await screen(page, '60-einrichtung-leer');

  await page.getByLabel('Art').selectOption({ label: 'Kran' });
  await page.getByLabel('Name der Ressource').fill('Turmdrehkran Nord');
  await page.getByLabel('Puffer nach Buchung (Minuten)').fill('15');
  await page.getByLabel('Längste Buchung (Minuten)').fill('240');
  // Saturday mornings too; Sunday stays closed.
  await page.getByRole('checkbox', { name: 'Samstag geöffnet' }).check();
  await page.getByLabel('Samstag öffnet um').fill('08:00');
  await page.getByLabel('Samstag schließt um').fill('12:00');
  await page.getByLabel('Montag öffnet um').fill('06:30');
  await expect(page.getByLabel('Sonntag öffnet um')).toBeDisabled();
  await page.getByLabel('Sperrtag', { exact: true }).fill(closure);
  await page.getByRole('button', { name: 'Sperrtag hinzufügen' }).click();
  await expect(page.getByRole('button', { name: /^Entfernen / })).toHaveCount(1);
  await screen(page, '61-ressource-formular');
  await page.getByRole('button', { name: 'Ressource anlegen' }).click();
  await expect(page.getByText('Turmdrehkran Nord wurde angelegt.')).toBeVisible();
  const row = page.getByRole('row', { name: /Turmdrehkran Nord/ });
  await expect(row).toContainText('Mo 06:30–17:00 · Di–Fr 07:00–17:00 · Sa 08:00–12:00');
  await expect(row).toContainText('Sa 08:00–12:00');
  await expect(row).not.toContainText('So ');
  await expect(row).toContainText(new Intl.DateTimeFormat('de-AT', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${closure}T12:00:00Z`)));
  await expect(row).toContainText('1 gleichzeitig · 15 min Puffer · 15–240 min');
  await screen(page, '62-ressource-angelegt');

  // With the keyboard: the delete dialog opens with Enter and closes with Escape.
  await page.getByRole('button', { name: 'Löschen: Turmdrehkran Nord' }).focus();
  await page.keyboard.press('Enter');
  const deleteDialog = page.getByRole('dialog', { name: 'Turmdrehkran Nord löschen?' });
  await expect(deleteDialog).toContainText('keine laufenden oder kommenden Buchungen');
  await screen(page, '62a-ressource-loeschen');
  await page.keyboard.press('Escape');
  await expect(deleteDialog).toHaveCount(0);
  await expect(row).toBeVisible();

  // A refused change shows the API's field error next to the field.
  await page.getByRole('button', { name: 'Bearbeiten: Turmdrehkran Nord' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Turmdrehkran Nord bearbeiten' })).toBeVisible();
  await expect(page).toHaveURL(/edit=/);
  await page.getByLabel('Kürzeste Buchung (Minuten)').fill('300');
  await page.getByRole('button', { name: 'Änderungen speichern' }).click();
  await expect(page.getByText('Bitte prüfen Sie die Eingaben.')).toBeVisible();
  await expect(page.getByText('must be at least 1 and at most maxBookingMinutes').first()).toBeVisible();
  await screen(page, '63-ressource-fehler');
  await page.getByLabel('Kürzeste Buchung (Minuten)').fill('30');
  await page.getByLabel('Gleichzeitige Buchungen').fill('2');
  await page.getByRole('button', { name: 'Änderungen speichern' }).click();
  await expect(page.getByText('Änderungen an Turmdrehkran Nord gespeichert.')).toBeVisible();
  await expect(row).toContainText('2 gleichzeitig · 15 min Puffer · 30–240 min');

  // The booking screen offers nothing on the closure, and a forced booking is refused with the reason.
  const resourceId = (await owner.call<{ items: { id: string }[] }>('GET', `/api/projects/${project}/resources`)).items[0].id;
  await page.goto(`${server.url}/p/${project}/book?res=${resourceId}&dur=60&date=${closure}`);
  await expect(page.getByText('An diesem Tag ist nichts frei.', { exact: false })).toBeVisible();
  const start = zonedInstant(closure, '10:00', 'Europe/Vienna');
  await page.goto(`${server.url}/p/${project}/book?res=${resourceId}&dur=60&date=${closure}&start=${start}`);
  await page.getByLabel('Material').fill('Schalungselemente');
  await page.getByRole('button', { name: 'Um 10:00 buchen' }).click();
  await expect(page.getByRole('alert')).toContainText('Bitte prüfen Sie die Eingaben.');
  await expect(page.getByRole('alert')).toContainText('Turmdrehkran Nord is closed at some time of the slot');
  await screen(page, '64-buchung-sperrtag');
  // Another workday is open as set up: the picker offers 10:00.
  await page.goto(`${server.url}/p/${project}/book?res=${resourceId}&dur=60&date=${nextWorkday(10)}`);
  await expect(page.getByRole('group', { name: /^Freie Startzeiten/ })).toBeVisible();
  await expect(page.getByRole('radio', { name: '10:00' })).toBeVisible();

  // Project settings: name, address, time zone, cut-off.
  await page.goto(`${server.url}/p/${project}/setup`);
  await page.getByLabel('Projektname').fill('Wohnbau Seestadt Nord');
  await page.getByLabel('Adresse der Baustelle').fill('Seestadtstraße 9, 1220 Wien');
  await page.getByLabel('Zeitzone').selectOption('Europe/Berlin');
  await page.getByLabel('Buchungsschluss (Stunden vorher)').fill('24');
  await page.getByRole('button', { name: 'Einstellungen speichern' }).click();
  await expect(page.getByText('Die Projekteinstellungen sind gespeichert.')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Projekt' })).toContainText('Wohnbau Seestadt Nord');
  await page.reload();
  await expect(page.getByLabel('Buchungsschluss (Stunden vorher)')).toHaveValue('24');
  await expect(page.getByLabel('Zeitzone')).toHaveValue('Europe/Berlin');
  await screen(page, '65-einstellungen');

  await page.getByLabel('Sprache').first().selectOption('en');
  await expect(page.getByRole('heading', { name: 'Project settings' })).toBeVisible();
  await screen(page, '66-setup-en');
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(page, 'set-up on a phone');
  await screen(page, '67-setup-phone-en');
});

test("a member sees the set-up read-only; a manager demoted meanwhile sees the API's refusal and cannot delete", async ({ browser }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('chef@tiefbau.example');
  const project = await owner.project('Bürohaus Süd');
  await owner.resource(project, 'hoist', 'Bauaufzug Ost');
  const manager = await newMember(owner, server, project, { email: 'leitung@tiefbau.example', role: 'manager', firstName: 'Lena', lastName: 'Leitner', company: 'Tiefbau AG' });
  await newMember(owner, server, project, { email: 'monteur@fassade.example', role: 'member', firstName: 'Mirko', lastName: 'Monteur', company: 'Fassade KG' });

  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await signIn(member, server.url, 'monteur@fassade.example', `/p/${project}/setup`);
  await expect(member.getByText('Nur Eigentümer und Bauleitung können das Projekt einrichten.', { exact: false })).toBeVisible();
  await expect(member.getByRole('row', { name: /Bauaufzug Ost/ })).toBeVisible();
  await expect(member.getByRole('button', { name: 'Ressource anlegen' })).toHaveCount(0);
  await expect(member.getByRole('button', { name: /Bearbeiten/ })).toHaveCount(0);
  await expect(member.getByRole('button', { name: /Projekt löschen/ })).toHaveCount(0);
  await expect(member.getByRole('link', { name: 'Einrichtung' })).toHaveCount(0);
  await screen(member, '68-einrichtung-mitglied');
  await member.goto(`${server.url}/p/${project}/audit`);
  await expect(member.getByText('Das Änderungsprotokoll sehen nur Eigentümer und Bauleitung.')).toBeVisible();
  await screen(member, '69-protokoll-mitglied');
  await memberContext.close();

  const managerContext = await browser.newContext();
  const page = await managerContext.newPage();
  await signIn(page, server.url, 'leitung@tiefbau.example', `/p/${project}/setup`);
  await expect(page.getByText('Nur Eigentümer des Projekts können es löschen.')).toBeVisible();
  await expect(page.getByRole('button', { name: /Projekt löschen/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Bearbeiten: Bauaufzug Ost' }).click();
  await page.getByLabel('Gleichzeitige Buchungen').fill('3');
  // The owner takes the manager's role away while the form is open.
  const me = await manager.call<{ id: string }>('GET', '/api/me');
  await owner.call('PATCH', `/api/projects/${project}/members/${me.id}`, { role: 'member' });
  await page.getByRole('button', { name: 'Änderungen speichern' }).click();
  await expect(page.getByRole('alert')).toContainText('Das dürfen Sie in diesem Projekt nicht.');
  await screen(page, '70-einrichtung-verweigert');
  await managerContext.close();
});

test('the audit log shows the set-up changes, filtered by kind and person, in pages', async ({ page }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('inhaber@holzbau.example');
  const project = await owner.project('Holzbau Campus');
  const crane = await owner.resource(project, 'crane', 'Kran West');
  const manager = await newMember(owner, server, project, { email: 'logistik@holzbau.example', role: 'manager', firstName: 'Lukas', lastName: 'Logistik', company: 'Holzbau GmbH' });
  for (let i = 2; i <= 28; i++) await owner.call('PATCH', `/api/projects/${project}/resources/${crane}`, { capacity: (i % 3) + 1 });
  await manager.call('PATCH', `/api/projects/${project}/resources/${crane}`, { closedDates: [siteDate(5)] });
  await manager.call('PATCH', `/api/projects/${project}`, { name: 'Holzbau Campus West' });

  await signIn(page, server.url, 'inhaber@holzbau.example', `/p/${project}/audit`);
  await expect(page.getByRole('heading', { name: 'Änderungsprotokoll' })).toBeVisible();
  const rows = page.getByRole('table', { name: 'Einträge' }).getByRole('row');
  await expect(rows).toHaveCount(26); // header + 25
  await expect(rows.nth(1)).toContainText('Projekt geändert');
  await expect(rows.nth(1)).toContainText('Lukas Logistik');
  await expect(rows.nth(2)).toContainText('Sperrtage');
  await screen(page, '71-protokoll');

  // Paging: older, then newer again.
  await page.getByRole('button', { name: 'Ältere Einträge' }).click();
  await expect(page).toHaveURL(/page=/);
  await expect(rows.last()).toContainText('Projekt angelegt');
  await screen(page, '72-protokoll-seite-2');
  await page.getByRole('button', { name: 'Neuere Einträge' }).click();
  await expect(rows.nth(1)).toContainText('Projekt geändert');

  // By kind, then by person; both in the URL.
  await page.getByLabel('Art der Änderung').selectOption({ label: 'Ressource angelegt' });
  await expect(page).toHaveURL(/action=resource\.created/);
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('Kran West');
  await expect(rows.nth(1)).toContainText('Anna Bauer');
  await page.getByLabel('Art der Änderung').selectOption({ label: 'Alle Arten' });
  await page.getByLabel('Person').selectOption({ label: 'Lukas Logistik' });
  await expect(page).toHaveURL(/actor=/);
  await expect(rows.nth(1)).toContainText('Projekt geändert');
  await expect(rows.filter({ hasText: 'Sperrtage' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'Anna Bauer' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Ältere Einträge' })).toHaveCount(0);
  await page.reload();
  await expect(page.getByLabel('Person')).not.toHaveValue('');
  await expect(rows.filter({ hasText: 'Anna Bauer' })).toHaveCount(0);
  await expect(rows.nth(1)).toContainText('Projekt geändert');
  await screen(page, '73-protokoll-gefiltert');
  await page.getByLabel('Art der Änderung').selectOption({ label: 'Datei gelöscht' });
  await expect(page.getByText('Keine Einträge.')).toBeVisible();

  await page.getByLabel('Sprache').first().selectOption('en');
  await page.getByLabel('Kind of change').selectOption({ label: 'All kinds' });
  await expect(page.getByRole('cell', { name: 'Project changed' })).toBeVisible();
  await screen(page, '74-audit-en');
  await page.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(page, 'audit log on a phone');
});

test('deleting a project names what is deleted; after confirming it is gone', async ({ page }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('bauherrin@altbau.example');
  const project = await owner.project('Altbau Sanierung');
  const zone = await owner.resource(project, 'unloadingZone', 'Ladezone Hof');
  await owner.resource(project, 'storageArea', 'Lager Keller');
  await owner.resource(project, 'gate', 'Tor Süd');
  const day = siteDate(2);
  await owner.book(project, [zone], new Date(zonedInstant(day, '10:00', 'Europe/Vienna')).toISOString(), new Date(zonedInstant(day, '11:00', 'Europe/Vienna')).toISOString());
  await uploadText(owner, project, 'bauzeitplan.txt', 'Bauzeitplan Altbau');
  await newMember(owner, server, project, { email: 'maler@farbe.example', role: 'member', firstName: 'Paula', lastName: 'Pinsel', company: 'Farbe OG' });

  await signIn(page, server.url, 'bauherrin@altbau.example', `/p/${project}/setup`);
  // A resource without bookings goes; one with an upcoming booking is refused with the reason.
  await page.getByRole('button', { name: 'Löschen: Tor Süd' }).click();
  await page.getByRole('dialog', { name: 'Tor Süd löschen?' }).getByRole('button', { name: 'Ja, löschen' }).click();
  await expect(page.getByText('Tor Süd wurde gelöscht.')).toBeVisible();
  await expect(page.getByRole('row', { name: /Tor Süd/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Löschen: Ladezone Hof' }).click();
  const refused = page.getByRole('dialog', { name: 'Ladezone Hof löschen?' });
  await refused.getByRole('button', { name: 'Ja, löschen' }).click();
  await expect(refused.getByRole('alert')).toContainText('es gibt einen Konflikt');
  await expect(refused.getByRole('alert')).toContainText('current or upcoming bookings');
  await screen(page, '74a-ressource-loeschen-verweigert');
  await refused.getByRole('button', { name: 'Abbrechen' }).click();

  await page.getByRole('button', { name: 'Projekt löschen …' }).click();
  const dialog = page.getByRole('dialog', { name: 'Projekt „Altbau Sanierung“ endgültig löschen?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('2 Ressourcen mit Öffnungszeiten und Sperrtagen');
  await expect(dialog).toContainText('2 Mitgliedschaften');
  await expect(dialog).toContainText('1 Dateien mit ihrem Suchindex');
  await expect(dialog).toContainText('alle Buchungen und Serien');
  await expect(dialog).toContainText('das Änderungsprotokoll');
  const confirm = dialog.getByRole('button', { name: 'Projekt endgültig löschen' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Projektnamen eingeben/).fill('Altbau');
  await expect(confirm).toBeDisabled();
  await screen(page, '75-projekt-loeschen');
  await dialog.getByLabel(/Projektnamen eingeben/).fill('Altbau Sanierung');
  await confirm.click();
  await expect(page.getByRole('heading', { name: 'Projekte' })).toBeVisible();
  await expect(page.getByText('Das Projekt „Altbau Sanierung“ wurde mit allen Daten gelöscht.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Altbau Sanierung' })).toHaveCount(0);
  await screen(page, '76-projekt-geloescht');
  await expect(owner.call('GET', `/api/projects/${project}`)).rejects.toThrow(/404/);
});
