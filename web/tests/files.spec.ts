// Files (P7, P8): several uploads with a progress bar each, an oversized one
// refused with the limit named; a word inside a file found and highlighted;
// images previewed, other files downloaded; a restricted file hidden from a
// member; delete with confirmation; a supplier uploads a delivery-note
// photo from the phone.
import { expect, test } from '@playwright/test';
import { expectNoHorizontalScroll, screen, signIn } from './helpers';
import { newMember, Seed } from './seed';
import { startServer, type Server } from './server';

// 256 KiB: small enough to exceed in a test. Indexing runs in the process,
// as in local mode, so a search finds a file's words a moment after upload.
const LIMIT = 256 * 1024;
let server: Server;
test.beforeAll(async () => {
  server = await startServer({ LMS_MAX_UPLOAD_BYTES: String(LIMIT), LMS_INDEX_IN_PROCESS: 'true' });
});
test.afterAll(async () => {
  await server?.stop();
});

// A 48 x 32 checkered PNG: real image bytes for the preview.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAIAAADbtmxLAAAA80lEQVR42rXU0YaCYRyE8bmSjucyuqxYIpaIJZaIiCUiSkTEEpFZImLvpxuYORx+h8/3zv/ow2B4sDSi1e4RP/ig1e7zQWNa7T4fNKHV7vNBn7TafT5oSqvd54NmtNp9PuiLVruH5rTiQ+Ue+qYVB8o9tKAVB8o9tKQVB8o9tKIVB8o9tKYVB8o99EMrDpR7aEMrDpT7/GPc0mr3+aAdrXafD9rTavf5oCOtdp8POtFq9/mgM612nw+60Gr3+aBfWu0eutKKD5V76EYrDpR76E4rDpR76I9WHCj30INWHCj30JNWHCj30ItWHCj30D+tOFDu357Q6uqiTclUAAAAAElFTkSuQmCC',
  'base64',
);
const NOTE = 'Lieferschein Nr. 4711\nBewehrungsmatten Q188 für Bauteil Nord, 2 Bund.\nAnlieferung über Tor 2.';

test('an owner uploads several files, finds a word inside one, previews, downloads, restricts and deletes', async ({ page, browser }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('projektleitung@stahlbau.example');
  const project = await owner.project('Brückenbau Donau');
  await newMember(owner, server, project, { email: 'polier@montage.example', role: 'member', firstName: 'Paul', lastName: 'Polier', company: 'Montage GmbH' });

  await signIn(page, server.url, 'projektleitung@stahlbau.example', `/p/${project}/files`);
  await expect(page.getByRole('heading', { name: 'Dateien', level: 1 })).toBeVisible();
  await expect(page.getByText('Noch keine Dateien.')).toBeVisible();
  await screen(page, '80-dateien-leer');

  // The pickers are real file inputs, reached with the keyboard.
  await page.getByLabel('Kategorie').focus();
  await page.keyboard.press('Tab');
  if (await page.getByRole('checkbox', { name: /Eingeschränkt/ }).evaluate((e) => e === document.activeElement)) await page.keyboard.press('Tab');
  await expect(page.getByLabel('Dateien auswählen')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Foto aufnehmen')).toBeFocused();

  // Several at once; the oversized one is refused with the limit named, the others arrive.
  await page.getByLabel('Kategorie').selectOption({ label: 'Logistik' });
  await page.getByLabel('Dateien auswählen').setInputFiles([
    { name: 'lieferschein-4711.txt', mimeType: 'text/plain', buffer: Buffer.from(NOTE) },
    { name: 'baustellenfoto.png', mimeType: 'image/png', buffer: PNG },
    { name: 'mengen.csv', mimeType: 'text/csv', buffer: Buffer.from('Menge;Material\n12;Schalungstafeln\n') },
    { name: 'zu-gross.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(LIMIT + 200 * 1024, 65) },
  ]);
  const uploads = page.getByRole('list', { name: 'Hochladevorgänge' });
  await expect(uploads.getByRole('progressbar')).toHaveCount(4);
  await expect(page.getByRole('progressbar', { name: 'Fortschritt: lieferschein-4711.txt' })).toBeVisible();
  await expect(uploads.getByRole('listitem').filter({ hasText: 'lieferschein-4711.txt' })).toContainText('hochgeladen');
  await expect(uploads.getByRole('listitem').filter({ hasText: 'baustellenfoto.png' })).toContainText('hochgeladen');
  await expect(uploads.getByRole('listitem').filter({ hasText: 'mengen.csv' })).toContainText('hochgeladen');
  await expect(page.getByRole('alert')).toHaveText('zu-gross.pdf ist zu groß: Dateien dürfen höchstens 256 kB groß sein.');
  await expect(page.getByRole('progressbar', { name: 'Fortschritt: lieferschein-4711.txt' })).toHaveAttribute('value', String(Buffer.from(NOTE).length));
  await screen(page, '81-dateien-hochgeladen');

  // The list: size, type, uploader, date, index status; indexing finishes on its own.
  const files = page.getByRole('table', { name: 'Alle Dateien' });
  const note = files.getByRole('row', { name: /lieferschein-4711\.txt/ });
  await expect(files.getByRole('row')).toHaveCount(4);
  await expect(files.getByRole('row', { name: /zu-gross/ })).toHaveCount(0);
  await expect(note).toContainText('text/plain');
  await expect(note).toContainText('Anna Bauer');
  await expect(note).toContainText(`${Buffer.from(NOTE).length} Byte`);
  await expect(note).toContainText('Logistik');
  await expect(note.getByText('durchsuchbar')).toBeVisible({ timeout: 20_000 });
  await expect(files.getByRole('row', { name: /baustellenfoto\.png/ })).toContainText('image/png');

  // A word inside the file is found, and highlighted as text.
  await page.getByLabel('In Dateien suchen (Name und Text)').fill('bewehrungsmatten');
  await page.getByRole('button', { name: 'Suchen', exact: true }).click();
  await expect(page).toHaveURL(/q=bewehrungsmatten/);
  const hits = page.getByRole('table', { name: 'Treffer für „bewehrungsmatten“' });
  await expect(hits.getByRole('row')).toHaveCount(2);
  await expect(hits.getByRole('row', { name: /lieferschein-4711\.txt/ })).toContainText('Lieferschein Nr. 4711 Bewehrungsmatten Q188');
  await expect(hits.locator('mark')).toHaveText(['Bewehrungsmatten']);
  await screen(page, '82-dateien-suche');
  await page.getByLabel('In Dateien suchen (Name und Text)').fill('Dachziegel');
  await page.getByRole('button', { name: 'Suchen', exact: true }).click();
  await expect(page.getByText('Keine Datei enthält „Dachziegel“.')).toBeVisible();
  await page.getByRole('button', { name: 'Alle Dateien zeigen' }).click();

  // Images preview; other files download.
  await page.getByRole('button', { name: 'Vorschau: baustellenfoto.png' }).click();
  const preview = page.getByRole('dialog', { name: 'baustellenfoto.png' });
  await expect(preview.getByRole('img', { name: 'Vorschau von baustellenfoto.png' })).toBeVisible();
  await screen(page, '83-dateien-vorschau');
  await preview.getByRole('button', { name: 'Schließen' }).click();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Herunterladen: lieferschein-4711.txt' }).click();
  expect((await download).suggestedFilename()).toBe('lieferschein-4711.txt');

  // A restricted file: the owner sees it flagged, the member does not see it at all.
  await page.getByLabel('Kategorie').selectOption({ label: 'Dokument' });
  await page.getByRole('checkbox', { name: /Eingeschränkt/ }).check();
  await page.getByLabel('Dateien auswählen').setInputFiles({ name: 'nachtrag-angebot.txt', mimeType: 'text/plain', buffer: Buffer.from('Nachtragsangebot Stahlbau') });
  await expect(files.getByRole('row', { name: /nachtrag-angebot\.txt/ })).toContainText('eingeschränkt');
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await signIn(member, server.url, 'polier@montage.example', `/p/${project}/files`);
  await expect(member.getByRole('row', { name: /lieferschein-4711\.txt/ })).toBeVisible();
  await expect(member.getByRole('row', { name: /nachtrag-angebot/ })).toHaveCount(0);
  await expect(member.getByRole('checkbox', { name: /Eingeschränkt/ })).toHaveCount(0);
  // Members delete only their own files.
  await expect(member.getByRole('button', { name: /^Löschen/ })).toHaveCount(0);
  await screen(member, '84-dateien-mitglied');
  await memberContext.close();

  // Delete, with confirmation; the search no longer finds its words.
  await page.getByRole('button', { name: 'Löschen: mengen.csv' }).click();
  const confirm = page.getByRole('dialog', { name: 'mengen.csv löschen?' });
  await expect(confirm).toContainText('endgültig gelöscht');
  await screen(page, '85-datei-loeschen');
  await confirm.getByRole('button', { name: 'Abbrechen' }).click();
  await expect(files.getByRole('row', { name: /mengen\.csv/ })).toBeVisible();
  await page.getByRole('button', { name: 'Löschen: mengen.csv' }).click();
  await page.getByRole('button', { name: 'Endgültig löschen' }).click();
  await expect(page.getByText('mengen.csv wurde gelöscht.')).toBeVisible();
  await expect(files.getByRole('row', { name: /mengen\.csv/ })).toHaveCount(0);
  await page.getByLabel('In Dateien suchen (Name und Text)').fill('Schalungstafeln');
  await page.getByRole('button', { name: 'Suchen', exact: true }).click();
  await expect(page.getByText('Keine Datei enthält „Schalungstafeln“.')).toBeVisible();

  await page.getByLabel('Sprache').first().selectOption('en');
  await page.getByRole('button', { name: 'Show all files' }).click();
  await expect(page.getByRole('table', { name: 'All files' }).getByText('searchable').first()).toBeVisible();
  await screen(page, '86-files-en');
});

test('a supplier uploads delivery-note photos from the phone', async ({ browser }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('disposition@hochbau.example');
  const project = await owner.project('Schule Favoriten');
  await newMember(owner, server, project, { email: 'fahrer@beton.example', role: 'member', firstName: 'Frida', lastName: 'Fahrer', company: 'Beton Express' });
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await signIn(page, server.url, 'fahrer@beton.example', `/p/${project}/files`);
  await expect(page.getByRole('heading', { name: 'Dateien', level: 1 })).toBeVisible();
  const camera = page.getByLabel('Foto aufnehmen');
  await expect(camera).toHaveAttribute('accept', 'image/*');
  await expect(camera).toHaveAttribute('capture', 'environment');
  await camera.setInputFiles([
    { name: 'lieferschein-seite-1.png', mimeType: 'image/png', buffer: PNG },
    { name: 'lieferschein-seite-2.png', mimeType: 'image/png', buffer: PNG },
  ]);
  const uploads = page.getByRole('list', { name: 'Hochladevorgänge' });
  await expect(uploads.getByRole('listitem').filter({ hasText: 'hochgeladen' })).toHaveCount(2);
  await expect(page.getByRole('row', { name: /lieferschein-seite-2\.png/ })).toContainText('Frida Fahrer');
  await expect(page.getByRole('row', { name: /lieferschein-seite-2\.png/ })).toContainText('Foto');
  // The pickers are big enough for a thumb.
  for (const name of ['Dateien auswählen', 'Foto aufnehmen']) {
    const box = await page.getByText(name, { exact: true }).boundingBox();
    expect(box?.height ?? 0, name).toBeGreaterThanOrEqual(44);
  }
  await expectNoHorizontalScroll(page, 'files on a phone');
  await screen(page, '87-dateien-telefon');
  // The own photo may be deleted by its uploader.
  await page.getByRole('button', { name: 'Löschen: lieferschein-seite-1.png' }).click();
  await page.getByRole('button', { name: 'Endgültig löschen' }).click();
  await expect(page.getByText('lieferschein-seite-1.png wurde gelöscht.')).toBeVisible();
  await screen(page, '88-dateien-telefon-geloescht');
  await context.close();
});
