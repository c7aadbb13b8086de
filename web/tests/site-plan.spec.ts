// Site plan (issue 18): an owner uploads a plan, places a zone as a point
// with the mouse and a crane as a polygon, moves the point with the
// keyboard, saves, reloads and sees them; the plan shows the day's load; a
// resource opens its day; a member sees the plan read-only and opts into
// the afternoon briefing; a phone has no horizontal scroll. axe in every
// state, German and English.
import { expect, test, type Page } from '@playwright/test';
import { crc32, deflateSync } from 'node:zlib';
import { expectNoHorizontalScroll, screen, signIn } from './helpers';
import { newMember, Seed, siteDate, workdayZone } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

/** A PNG of `width` × `height`: light paper with a darker building block and a road, so a screenshot shows a plan. */
function planPng(width: number, height: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const building = x > width * 0.55 && x < width * 0.9 && y > height * 0.15 && y < height * 0.6;
      const road = y > height * 0.75 && y < height * 0.85;
      const grid = x % 40 === 0 || y % 40 === 0;
      const [r, g, b] = building ? [203, 213, 225] : road ? [156, 163, 175] : grid ? [229, 231, 235] : [250, 250, 245];
      row.set([r, g, b], 1 + x * 3);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF (A4 landscape) with a building and a road drawn, no text: its first page becomes the plan. */
function planPdf(): Buffer {
  const content = '0.8 0.84 0.88 rg 460 230 250 200 re f 0.6 0.64 0.69 rg 0 90 842 60 re f 0 0 0 RG 2 w 20 20 802 555 re S';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 4 0 R /Resources << >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The instant of a wall-clock time on a site date in `tz` (two passes settle a DST offset). */
function siteInstant(date: string, hm: string, tz: string): Date {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = hm.split(':').map(Number);
  const wanted = Date.UTC(y, mo - 1, d, h, mi);
  let t = wanted;
  for (let i = 0; i < 2; i++) {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(t))
      .reduce<Record<string, number>>((a, p) => (p.type === 'literal' ? a : { ...a, [p.type]: Number(p.value) }), {});
    const seen = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
    t += wanted - seen;
  }
  return new Date(t);
}

/** Clicks the plan at a relative place (0..1). */
async function clickPlan(page: Page, x: number, y: number): Promise<void> {
  const box = await page.getByRole('img', { name: /^Lageplan / }).boundingBox();
  if (!box) throw new Error('no plan on screen');
  await page.mouse.click(box.x + box.width * x, box.y + box.height * y);
}

test('an owner places a zone and a crane on an uploaded plan; load, day, member and phone', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const owner = new Seed(server.url);
  await owner.registerAdmin('logistik@hafenbau.example');
  const tz = workdayZone();
  const project = await owner.project('Hafenbau Süd', tz);
  const zone = await owner.resource(project, 'unloadingZone', 'Entladezone Nord', '00:00', '23:59');
  const crane = await owner.resource(project, 'crane', 'Turmdrehkran 1', '06:00', '18:00');
  await newMember(owner, server, project, { email: 'disposition@beton-huber.example', role: 'member', firstName: 'Bea', lastName: 'Huber', company: 'Beton Huber GmbH' });
  // Tomorrow the crane is booked all day: its load is shown on the plan.
  const tomorrow = siteDate(1, tz);
  await owner.book(project, [crane], siteInstant(tomorrow, '06:00', tz).toISOString(), siteInstant(tomorrow, '18:00', tz).toISOString());

  await signIn(page, server.url, 'logistik@hafenbau.example', `/p/${project}/site-plan`);
  await expect(page.getByRole('heading', { level: 1, name: /^Lageplan – / })).toBeVisible();
  await expect(page.getByText('Noch kein Lageplan.')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Projekt' }).getByRole('link', { name: 'Lageplan' })).toHaveAttribute('aria-current', 'page');
  await screen(page, 'lageplan-01-leer');

  // Upload.
  await page.getByRole('button', { name: 'Plan bearbeiten' }).click();
  await expect(page.getByRole('button', { name: 'Plan bearbeiten' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByLabel('Neuen Plan hochladen').setInputFiles({ name: 'baustelle.png', mimeType: 'image/png', buffer: planPng(800, 500) });
  await expect(page.getByRole('status').filter({ hasText: 'baustelle.png ist hochgeladen.' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Lageplan baustelle.png' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Ressourcen auf baustelle.png einzeichnen' })).toBeVisible();
  await screen(page, 'lageplan-02-hochgeladen');

  // The zone as a point, with the mouse.
  await page.getByRole('button', { name: 'Entladezone Nord als Punkt setzen' }).click();
  await expect(page.getByRole('heading', { name: 'Entladezone Nord als Punkt setzen' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Fadenkreuz bei 50 % von links, 50 % von oben/ })).toBeFocused();
  await screen(page, 'lageplan-03-punkt-setzen');
  await clickPlan(page, 0.3, 0.4);
  // The new marker takes the focus, ready to be moved.
  await expect(page.getByRole('button', { name: 'Entladezone Nord: 30 % von links, 40 % von oben' })).toBeFocused();
  const placed = (name: string) => page.getByRole('list', { name: 'Ressourcen auf dem Plan' }).getByRole('listitem').filter({ hasText: name });
  await expect(placed('Entladezone Nord')).toContainText('Punkt bei 30 % von links, 40 % von oben');

  // The crane as a polygon: four clicks, then the button.
  await page.getByRole('button', { name: 'Turmdrehkran 1 als Fläche zeichnen' }).click();
  await expect(page.getByRole('button', { name: 'Fläche abschließen' })).toBeDisabled();
  // Corners chosen so that the centre (72 %, 37 %) is not at a rounding edge.
  await clickPlan(page, 0.6, 0.2);
  await clickPlan(page, 0.84, 0.2);
  await expect(page.getByText('Ecken gesetzt: 2')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Fläche abschließen' })).toBeDisabled();
  await clickPlan(page, 0.84, 0.54);
  await clickPlan(page, 0.6, 0.54);
  await expect(page.getByText('Ecken gesetzt: 4')).toBeVisible();
  await screen(page, 'lageplan-04-flaeche-zeichnen');
  await page.getByRole('button', { name: 'Fläche abschließen' }).click();
  await expect(page.getByRole('button', { name: /^Turmdrehkran 1: Fläche, Mitte bei 72 % von links, 37 % von oben$/ })).toBeFocused();
  await expect(placed('Turmdrehkran 1')).toContainText('Fläche mit 4 Ecken');

  // The crane's area dragged by its handle, 10 % to the right (pointer events: mouse, touch and pen alike).
  const handle = page.getByRole('button', { name: /^Turmdrehkran 1: Fläche/ });
  const from = await handle.boundingBox();
  const plan = await page.getByRole('img', { name: /^Lageplan / }).boundingBox();
  if (!from || !plan) throw new Error('no handle or plan');
  await page.mouse.move(from.x + from.width / 2, from.y + 22);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + plan.width * 0.05, from.y + 22, { steps: 4 });
  await page.mouse.move(from.x + from.width / 2 + plan.width * 0.1, from.y + 22, { steps: 4 });
  await page.mouse.up();
  await expect(handle).toHaveAccessibleName(/^Turmdrehkran 1: Fläche, Mitte bei 8[123] % von links, 3[678] % von oben$/);
  const craneAfterDrag = (await handle.getAttribute('aria-label')) ?? '';
  await expect(page.getByRole('status').filter({ hasText: craneAfterDrag })).toBeAttached();

  // The zone moved with the keyboard: 2 × 1 % right, 5 % down; announced.
  const zoneNow = page.getByRole('button', { name: /^Entladezone Nord: / });
  await zoneNow.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  await expect(page.getByRole('button', { name: 'Entladezone Nord: 32 % von links, 45 % von oben' })).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: 'Entladezone Nord: 32 % von links, 45 % von oben' })).toBeAttached();
  await expect(placed('Entladezone Nord')).toContainText('nicht gespeichert');
  await screen(page, 'lageplan-05-verschoben');

  await page.getByRole('button', { name: 'Änderungen speichern (2)' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Die Lage der Ressourcen ist gespeichert.' })).toBeAttached();
  await expect(page.getByRole('button', { name: 'Änderungen speichern' })).toBeDisabled();

  // After a reload: the places are the saved ones.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Entladezone Nord: 32 % von links, 45 % von oben' })).toBeVisible();
  await expect(page.getByRole('button', { name: craneAfterDrag })).toBeVisible();

  // A new revision, from a PDF rendered in the browser: same plan, the places stay (they are relative).
  await page.getByLabel('Neue Fassung von baustelle.png hochladen').setInputFiles({ name: 'baustelle-rev2.pdf', mimeType: 'application/pdf', buffer: planPdf() });
  await expect(page.getByRole('status').filter({ hasText: /Die neue Fassung von .* ist hochgeladen\./ })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Entladezone Nord: 32 % von links, 45 % von oben' })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Lageplan / })).toBeVisible();
  await screen(page, 'lageplan-06-neue-fassung');

  // Read mode, tomorrow: the crane is booked all day, the zone is free.
  await page.getByRole('button', { name: 'Plan bearbeiten' }).click();
  await page.getByLabel('Datum').fill(tomorrow);
  const craneLink = page.getByRole('link', { name: /^Turmdrehkran 1 – Voll, 12 h von 12 h gebucht/ });
  await expect(craneLink).toBeVisible();
  await expect(page.getByRole('link', { name: /^Entladezone Nord – Frei, 0 min von/ })).toBeVisible();
  const table = page.getByRole('table', { name: /Ressourcen mit Auslastung/ });
  await expect(table.getByRole('row', { name: /Turmdrehkran 1/ })).toContainText('Voll');
  await expect(page.getByRole('list', { name: 'Legende: Auslastung am Tag' }).getByRole('listitem')).toHaveCount(5);
  await screen(page, 'lageplan-07-auslastung');

  // A resource opens its day: Enter on the marker.
  await craneLink.focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/p/${project}/board\\?date=${tomorrow}&res=${crane}$`));
  await expect(page.getByText('Nur Turmdrehkran 1')).toBeVisible();
  await expect(page.getByRole('row', { name: /Turmdrehkran 1/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /Entladezone Nord/ })).toHaveCount(0);
  await page.goBack();

  // English.
  await page.getByLabel('Sprache').first().selectOption('en');
  await expect(page.getByRole('link', { name: /^Turmdrehkran 1 – Full, 12 h of 12 h booked/ })).toBeVisible();
  await screen(page, 'lageplan-08-en');
  await page.getByRole('button', { name: 'Edit plan' }).click();
  await expect(page.getByRole('button', { name: 'Entladezone Nord: 32 % from the left, 45 % from the top' })).toBeVisible();
  await screen(page, 'lageplan-09-editor-en');
  await page.getByLabel('Language').first().selectOption('de');

  // A member: the plan, read-only; a marker opens the day.
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await signIn(member, server.url, 'disposition@beton-huber.example', `/p/${project}/site-plan?date=${tomorrow}`);
  await expect(member.getByRole('link', { name: /^Turmdrehkran 1 – Voll/ })).toBeVisible();
  await expect(member.getByRole('button', { name: 'Plan bearbeiten' })).toHaveCount(0);
  await expect(member.getByRole('button', { name: /^Entladezone Nord: / })).toHaveCount(0);
  await screen(member, 'lageplan-10-mitglied');
  await member.getByRole('link', { name: /^Entladezone Nord – Frei/ }).click();
  await expect(member).toHaveURL(new RegExp(`res=${zone}$`));

  // The member opts into the afternoon briefing, in their account's notifications.
  await member.goto(`${server.url}/account`);
  const briefing = member.getByRole('checkbox', { name: 'Morgen-Übersicht für Hafenbau Süd' });
  await expect(briefing).toBeEnabled();
  await expect(briefing).not.toBeChecked();
  await briefing.click();
  await expect(member.getByText('Die Morgen-Übersicht für Hafenbau Süd ist eingeschaltet.')).toBeVisible();
  await member.reload();
  await expect(member.getByRole('checkbox', { name: 'Morgen-Übersicht für Hafenbau Süd' })).toBeChecked();
  await screen(member, 'lageplan-11-morgen-uebersicht');
  await memberContext.close();

  // A phone: the plan and the editor fit 360 px.
  const phoneContext = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const phone = await phoneContext.newPage();
  await signIn(phone, server.url, 'logistik@hafenbau.example', `/p/${project}/site-plan?date=${tomorrow}`);
  await expect(phone.getByRole('link', { name: /^Turmdrehkran 1 – Voll/ })).toBeVisible();
  await expectNoHorizontalScroll(phone, 'site plan on a phone');
  await screen(phone, 'lageplan-12-telefon');
  await phone.getByRole('button', { name: 'Plan bearbeiten' }).click();
  await expect(phone.getByRole('button', { name: /^Entladezone Nord: / })).toBeVisible();
  await expectNoHorizontalScroll(phone, 'plan editor on a phone');
  await screen(phone, 'lageplan-13-editor-telefon');

  // A finger drags the zone 10 % to the right: real touch events, as a phone sends them.
  const zoneOnPhone = phone.getByRole('button', { name: /^Entladezone Nord: / });
  await zoneOnPhone.scrollIntoViewIfNeeded();
  const zoneBox = await zoneOnPhone.boundingBox();
  const phonePlan = await phone.getByRole('img', { name: /^Lageplan / }).boundingBox();
  if (!zoneBox || !phonePlan) throw new Error('no zone marker or plan on the phone');
  const finger = { x: zoneBox.x + zoneBox.width / 2, y: zoneBox.y + zoneBox.height / 2 };
  const touch = await phoneContext.newCDPSession(phone);
  await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [finger] });
  for (let step = 1; step <= 5; step++) {
    await touch.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: finger.x + (phonePlan.width * 0.1 * step) / 5, y: finger.y }] });
  }
  await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await expect(zoneOnPhone).toHaveAccessibleName(/^Entladezone Nord: 4[123] % von links, 4[456] % von oben$/);
  await expect(phone.getByRole('button', { name: 'Änderungen speichern (1)' })).toBeEnabled();
  await expectNoHorizontalScroll(phone, 'plan editor on a phone after a touch drag');
  await phoneContext.close();
});

test('access instructions: per resource in set-up, site-wide in the settings, both on the site plan', async ({ page }) => {
  const owner = new Seed(server.url);
  await owner.registerAdmin('bauleitung@tiefbau.example');
  const project = await owner.project('Tiefgarage West');
  await owner.resource(project, 'gate', 'Tor 2');

  await signIn(page, server.url, 'bauleitung@tiefbau.example', `/p/${project}/setup`);
  await page.getByRole('button', { name: 'Bearbeiten: Tor 2' }).click();
  await page.getByLabel('Zufahrtshinweise', { exact: true }).fill('Zufahrt über die Hafenstraße, Warnweste Pflicht');
  await page.getByRole('button', { name: 'Änderungen speichern' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Tor 2' })).toBeVisible();
  await page.getByLabel('Zufahrtshinweise für die ganze Baustelle').fill('Anmeldung im Baubüro, Container 1');
  await page.getByRole('button', { name: 'Einstellungen speichern' }).click();
  await expect(page.getByText('Die Projekteinstellungen sind gespeichert.')).toBeVisible();
  await screen(page, 'lageplan-14-zufahrt-einrichtung');

  await page.getByRole('navigation', { name: 'Projekt' }).getByRole('link', { name: 'Lageplan' }).click();
  await expect(page.getByRole('region', { name: 'Zufahrt zur Baustelle' })).toContainText('Anmeldung im Baubüro, Container 1');
  await expect(page.getByRole('row', { name: /Tor 2/ })).toContainText('Zufahrt über die Hafenstraße, Warnweste Pflicht');
  await screen(page, 'lageplan-15-zufahrt');
});
