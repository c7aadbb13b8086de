// Members and invitations: an owner invites with the stored consent wording,
// withdraws a pending invitation, changes a role, removes a member, and is
// told why the last owner cannot leave. A manager trying an owner's action
// and a plain member see why not.
import { expect, test } from '@playwright/test';
import { expectNoHorizontalScroll, screen, signIn } from './helpers';
import { newMember, Seed } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('an owner invites, withdraws, changes a role, removes a member; the last owner cannot leave', async ({ page }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('eigentuemer@generalbau.example');
  const project = await owner.project('Wohnbau Seestadt');
  await newMember(owner, server, project, { email: 'polier@subbau.example', role: 'member', firstName: 'Max', lastName: 'Polier', company: 'Subbau GmbH' });

  await signIn(page, server.url, 'eigentuemer@generalbau.example', `/p/${project}/members`);
  await expect(page.getByRole('heading', { name: 'Mitglieder und Einladungen' })).toBeVisible();
  const maxRow = page.getByRole('row', { name: /Max Polier/ });
  await expect(maxRow.getByRole('cell', { name: 'Subbau GmbH' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Rolle von Max Polier' })).toHaveValue('member');
  await expect(page.getByRole('link', { name: 'Mitglieder', exact: true })).toHaveAttribute('aria-current', 'page');
  await screen(page, '30-mitglieder');

  // Invite: the consent confirmation must be ticked, and the stored wording is shown.
  await expect(page.getByRole('checkbox', { name: /^Ich bestätige, dass die eingeladene Person damit einverstanden ist/ })).toBeVisible();
  await page.getByRole('textbox', { name: 'E-Mail-Adresse' }).fill('neu@elektro.example');
  await page.getByLabel('Rolle', { exact: true }).selectOption({ label: 'Lesend' });
  await page.getByRole('button', { name: 'Einladung senden' }).click();
  await expect(page.getByText('Einladung an neu@elektro.example ist unterwegs.')).toHaveCount(0);
  await page.getByRole('checkbox', { name: /einverstanden/ }).check();
  await page.getByRole('button', { name: 'Einladung senden' }).click();
  await expect(page.getByText('Einladung an neu@elektro.example ist unterwegs.')).toBeVisible();
  const pending = page.getByRole('table', { name: 'Offene Einladungen' });
  await expect(pending.getByRole('row', { name: /neu@elektro\.example/ })).toContainText('Lesend');
  await expect(pending.getByRole('row', { name: /neu@elektro\.example/ })).toContainText('Anna Bauer');
  await screen(page, '31-einladungen');

  await page.getByRole('button', { name: 'Einladung an neu@elektro.example zurückziehen' }).click();
  await expect(page.getByText('Die Einladung an neu@elektro.example wurde zurückgezogen.')).toBeVisible();
  await expect(page.getByText('Keine offenen Einladungen.')).toBeVisible();

  // Change a role; the role filter is kept in the URL.
  await page.getByRole('combobox', { name: 'Rolle von Max Polier' }).selectOption({ label: 'Bauleitung' });
  await page.getByRole('button', { name: 'Rolle speichern: Max Polier' }).click();
  await expect(page.getByText('Max Polier ist jetzt Bauleitung.')).toBeVisible();
  await page.getByLabel('Rolle anzeigen').selectOption({ label: 'Bauleitung' });
  await expect(page).toHaveURL(/role=manager/);
  await page.reload();
  await expect(page.getByLabel('Rolle anzeigen')).toHaveValue('manager');
  await expect(page.getByRole('row', { name: /Max Polier/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /Anna Bauer/ })).toHaveCount(0);
  await page.getByLabel('Rolle anzeigen').selectOption({ label: 'Alle Rollen' });

  // The last owner cannot leave: the screen says why, with the API's detail.
  await page.getByRole('button', { name: 'Projekt verlassen' }).click();
  await expect(page.getByRole('dialog', { name: 'Projekt verlassen?' })).toBeVisible();
  await screen(page, '32-verlassen-bestaetigen');
  await page.getByRole('button', { name: 'Ja, verlassen' }).click();
  await expect(page.getByRole('alert')).toContainText('Sie sind der letzte Eigentümer dieses Projekts');
  await expect(page.getByRole('alert')).toContainText('last owner and cannot leave');
  await screen(page, '33-letzter-eigentuemer');

  // Remove a member, with the keyboard.
  await page.getByRole('button', { name: 'Max Polier entfernen' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Max Polier aus dem Projekt entfernen?' })).toBeVisible();
  await page.getByRole('button', { name: 'Ja, entfernen' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByText('Max Polier wurde entfernt.')).toBeVisible();
  await expect(page.getByRole('row', { name: /Max Polier/ })).toHaveCount(0);

  // English.
  await page.getByLabel('Sprache').first().selectOption('en');
  await expect(page.getByRole('heading', { name: 'Members and invitations' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'I confirm that the person I invite has agreed to be invited to this project and to the processing of their data as described in the Insite LMS privacy policy.' })).toBeVisible();
  await screen(page, '34-members-en');
});

test("a manager trying an owner's action, and a member, see why not", async ({ browser }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('chefin@hochbau.example');
  const project = await owner.project('Bürohaus Nord');
  await newMember(owner, server, project, { email: 'bauleiter@hochbau.example', role: 'manager', firstName: 'Bernd', lastName: 'Leiter', company: 'Hochbau AG' });
  await newMember(owner, server, project, { email: 'monteur@trockenbau.example', role: 'member', firstName: 'Mia', lastName: 'Monteur', company: 'Trockenbau KG' });

  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await signIn(manager, server.url, 'bauleiter@hochbau.example', `/p/${project}/members`);
  await manager.getByRole('combobox', { name: 'Rolle von Mia Monteur' }).selectOption({ label: 'Eigentümer' });
  await manager.getByRole('button', { name: 'Rolle speichern: Mia Monteur' }).click();
  await expect(manager.getByText('Das dürfen nur Eigentümer dieses Projekts', { exact: false })).toBeVisible();
  await expect(manager.getByRole('alert')).toBeVisible();
  await expect(manager.getByRole('combobox', { name: 'Rolle von Mia Monteur' })).toHaveValue('member');
  await screen(manager, '35-nur-eigentuemer');
  await managerContext.close();

  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await signIn(member, server.url, 'monteur@trockenbau.example', `/p/${project}/members`);
  await expect(member.getByText('Nur Eigentümer und Bauleitung können Personen einladen', { exact: false })).toBeVisible();
  await expect(member.getByRole('row', { name: /Bernd Leiter/ })).toContainText('Bauleitung');
  await expect(member.getByRole('button', { name: 'Einladung senden' })).toHaveCount(0);
  await expect(member.getByRole('button', { name: /entfernen/ })).toHaveCount(0);
  await screen(member, '36-mitglieder-lesend');
  // On a phone: nothing wider than the screen (the table scrolls on its own).
  await member.setViewportSize({ width: 360, height: 740 });
  await expectNoHorizontalScroll(member, 'members on a phone');
  await screen(member, '37-mitglieder-telefon');
  await memberContext.close();
});
