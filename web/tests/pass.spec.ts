// Issue 18, the driver's pass end to end: a booking is approved and its
// pass link read from the approval mail; the pass opens in a fresh browser
// without an account and shows the plan with the resource marked and the
// instructions; the gate scans its QR code through Chromium's fake camera
// (a .y4m made from the pass's own QR) and checks the booking in with one
// tap. Then: the code typed at the gate, another project's pass, the
// pass section of a booking (copy, regenerate), and the pass of a
// cancelled booking, which says it is no longer valid.
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoHorizontalScroll, screen, signIn } from './helpers';
import { newMember, Seed, workdayZone } from './seed';
import { deliverMails, passLink, startServer, type Server } from './server';
import { y4m } from './y4m';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

const OWNER = 'bauleitung@seestadt.example';
const DRIVER_BOOKER = 'dispo@betonwerk.example';
const SITE_RULES = 'Zufahrt nur über Tor 2 von der Hafenstraße. Warnweste Pflicht.';
const ZONE_RULES = 'Rückwärts einfahren und auf den Einweiser warten.';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A PNG site plan drawn in the browser (no image file in the repository). */
async function planPng(page: Page): Promise<Buffer> {
  const url = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 1200;
    c.height = 800;
    const g = c.getContext('2d')!;
    g.fillStyle = '#ece9df';
    g.fillRect(0, 0, 1200, 800);
    g.fillStyle = '#9ca3af';
    g.fillRect(0, 60, 1200, 40); // Hafenstraße
    g.fillStyle = '#cbd5e1';
    g.fillRect(150, 160, 900, 560); // the site
    g.fillStyle = '#64748b';
    g.fillRect(500, 300, 300, 300); // the building
    return c.toDataURL('image/png');
  });
  return Buffer.from(url.split(',')[1], 'base64');
}

type Pixels = { width: number; height: number; data: number[] };

/** The pass's QR code (its qr.svg) as RGBA pixels on white, as a camera would see a phone held up. */
async function qrPixels(page: Page, src: string, width = 640, height = 480): Promise<Pixels> {
  return page.evaluate(
    async ({ src, width, height }) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = width;
      c.height = height;
      const g = c.getContext('2d')!;
      g.imageSmoothingEnabled = false;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, width, height);
      const side = Math.round(height * 0.75);
      g.drawImage(img, (width - side) / 2, (height - side) / 2, side, side);
      return { width, height, data: Array.from(g.getImageData(0, 0, width, height).data) };
    },
    { src, width, height },
  );
}

/**
 * Makes the camera show `frame` (a canvas stream), or refuses it when null:
 * for the refusals, which need no video file. The app's CSP allows no data:
 * images, so the frame comes as pixels.
 */
async function cameraShows(page: Page, frame: Pixels | null): Promise<void> {
  await page.evaluate((frame) => {
    navigator.mediaDevices.getUserMedia = async () => {
      if (!frame) throw new DOMException('Permission denied', 'NotAllowedError');
      const c = document.createElement('canvas');
      c.width = frame.width;
      c.height = frame.height;
      const g = c.getContext('2d')!;
      const image = new ImageData(Uint8ClampedArray.from(frame.data), frame.width, frame.height);
      g.putImageData(image, 0, 0);
      const stream = c.captureStream(10);
      // Keep frames coming while the scanner reads; stop once it closes the camera.
      const timer = setInterval(() => {
        if (stream.getVideoTracks().every((t) => t.readyState === 'ended')) clearInterval(timer);
        else g.putImageData(image, 0, 0);
      }, 100);
      return stream;
    };
  }, frame);
}

test('the approved booking’s pass opens without an account, and one scan at the gate checks it in', async ({ browser }) => {
  const base = server.url;
  const tz = workdayZone();
  const hhmm = (iso: string) => new Intl.DateTimeFormat('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: tz }).format(new Date(iso));
  const owner = new Seed(base);
  await owner.registerAdmin(OWNER);
  const project = await owner.project('Wohnbau Seestadt', tz);
  await owner.call('PATCH', `/api/projects/${project}`, { accessInstructions: SITE_RULES });
  const zone = await owner.resource(project, 'unloadingZone', 'Entladezone Nord', '00:00', '23:59');
  const crane = await owner.resource(project, 'crane', 'Turmdrehkran 1', '00:00', '23:59');

  // A site plan with the zone outlined and the crane as a point.
  const scratch = await (await browser.newContext()).newPage();
  const form = new FormData();
  form.append('category', 'sitePlan');
  form.append('file', new Blob([new Uint8Array(await planPng(scratch))], { type: 'image/png' }), 'lageplan.png');
  const upload = await fetch(`${base}/api/projects/${project}/files`, { method: 'POST', headers: { authorization: `Bearer ${owner.token}` }, body: form });
  expect(upload.status, await upload.clone().text()).toBe(201);
  const plan = ((await upload.json()) as { id: string }).id;
  await owner.call('PATCH', `/api/projects/${project}/resources/${zone}`, {
    accessInstructions: ZONE_RULES,
    placement: { planId: plan, shape: 'polygon', points: [{ x: 0.15, y: 0.2 }, { x: 0.4, y: 0.2 }, { x: 0.4, y: 0.45 }, { x: 0.15, y: 0.45 }] },
  });
  await owner.call('PATCH', `/api/projects/${project}/resources/${crane}`, { placement: { planId: plan, shape: 'point', points: [{ x: 0.7, y: 0.3 }] } });

  // A supplier's dispatcher books two deliveries for today; the site approves both.
  const booker = await newMember(owner, server, project, { email: DRIVER_BOOKER, role: 'member', firstName: 'Doris', lastName: 'Disponentin', company: 'Betonwerk Süd' });
  // Booking mails are opt-in (P6).
  await booker.call('PATCH', '/api/me', { emailNotifications: true });
  const start = new Date(Math.ceil((Date.now() + 120_000) / 60_000) * 60_000);
  const at = (min: number) => new Date(start.getTime() + min * 60_000).toISOString();
  const first = await booker.book(project, [zone], at(0), at(30), { licencePlate: 'W-PASS1' });
  await owner.call('POST', `/api/projects/${project}/bookings/${first}/approve`, {});
  await deliverMails(server);
  const link = passLink(server, DRIVER_BOOKER);
  const second = await booker.book(project, [zone, crane], at(60), at(90), { licencePlate: 'W-PASS2' });
  await owner.call('POST', `/api/projects/${project}/bookings/${second}/approve`, {});
  const { code } = await owner.call<{ code: string }>('GET', `/api/projects/${project}/bookings/${first}`);

  // The driver opens the link on a phone, with no account.
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const driver = await phone.newPage();
  // No third-party resources: every request the pass makes stays on the site's origin.
  const origins = new Set<string>();
  driver.on('request', (request) => origins.add(new URL(request.url()).origin));
  await driver.goto(link);
  await expect(driver.getByRole('heading', { name: /Zufahrtspass/ })).toBeVisible();
  expect(code).toMatch(/^[2-9A-Z]{3}-[2-9A-Z]{3}$/);
  await expect(driver.getByText(code, { exact: true })).toBeVisible();
  await expect(driver.getByText('Seestadtstraße 1, 1220 Wien')).toBeVisible();
  await expect(driver.getByText(SITE_RULES)).toBeVisible();
  await expect(driver.getByText(ZONE_RULES)).toBeVisible();
  await expect(driver.getByRole('link', { name: 'In Karten-App öffnen' })).toHaveAttribute('href', /^geo:0,0\?q=Seestadtstra/);
  const planImage = driver.getByRole('img', { name: /Lageplan 1 der Baustelle, markiert: Entladezone Nord/ });
  await expect(planImage).toBeVisible();
  await expect.poll(() => planImage.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(1200);
  await expect(driver.locator('.plan-label', { hasText: 'Entladezone Nord' })).toBeVisible();
  await expect(driver.locator('.plan-shapes polygon')).toHaveCount(1);
  const qr = driver.getByRole('img', { name: /QR-Code des Passes/ });
  await expect.poll(() => qr.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  await expect(driver.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex');
  // No person's name or email on the pass.
  const text = await driver.locator('body').innerText();
  for (const personal of ['Doris', 'Disponentin', 'Anna', 'Bauer', DRIVER_BOOKER, OWNER]) expect(text).not.toContain(personal);
  await expectNoHorizontalScroll(driver, 'pass page');
  await screen(driver, '60-pass-telefon');
  await driver.getByRole('button', { name: 'English' }).click();
  await expect(driver.getByRole('heading', { name: /Site pass/ })).toBeVisible();
  await screen(driver, '61-pass-telefon-en');
  await driver.getByRole('button', { name: 'Deutsch' }).click();
  await driver.emulateMedia({ media: 'print' });
  await screen(driver, '62-pass-druck');
  await driver.emulateMedia({ media: 'screen' });

  // The gate's tablet, whose camera sees the QR code of that pass.
  const video = mkdtempSync(join(tmpdir(), 'lms-qr-'));
  const file = join(video, 'pass.y4m');
  const px = await qrPixels(driver, await qr.evaluate((i: HTMLImageElement) => i.src));
  writeFileSync(file, y4m(Uint8Array.from(px.data), px.width, px.height));
  let camera: Browser | undefined;
  try {
    camera = await chromium.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`],
    });
    const tablet = await camera.newContext({ locale: 'de-AT', timezoneId: 'Europe/Vienna', viewport: { width: 1024, height: 768 }, hasTouch: true });
    const gate = await tablet.newPage();
    await signIn(gate, base, OWNER, `/p/${project}/gate`);
    await expect(gate.getByRole('heading', { name: /^Tor/ })).toBeVisible();
    await gate.getByRole('button', { name: 'Pass scannen' }).click();
    const found = gate.getByRole('region', { name: 'Gescannte Buchung' });
    await expect(found).toBeVisible({ timeout: 20_000 });
    await expect(found.getByText('W-PASS1')).toBeVisible();
    await expect(found.getByText('Freigegeben')).toBeVisible();
    await screen(gate, '63-tor-gescannt');
    await found.getByRole('button', { name: 'Einchecken' }).click();
    await expect(gate.getByRole('status').filter({ hasText: 'W-PASS1 ist eingecheckt.' })).toBeVisible();
    await expect(found.getByText('Eingecheckt')).toBeVisible();
    await expect(found.getByRole('button', { name: 'Auschecken' })).toBeVisible();
    const after = await owner.call<{ status: string }>('GET', `/api/projects/${project}/bookings/${first}`);
    expect(after.status).toBe('checkedIn');
    await tablet.close();
  } finally {
    await camera?.close();
    rmSync(video, { recursive: true, force: true });
  }

  // The dispatcher finds the second booking's pass on My bookings: code, copy, a new link.
  const office = await browser.newContext();
  await office.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const desk = await office.newPage();
  await signIn(desk, base, DRIVER_BOOKER, `/p/${project}/my-bookings`);
  const card = desk.getByRole('listitem').filter({ hasText: 'Entladezone Nord + Turmdrehkran 1' });
  const section = card.getByRole('region', { name: 'Zufahrtspass für den Fahrer' });
  await expect(section.getByLabel('Link zum Pass')).toHaveValue(/\/pass\/[A-Za-z0-9_-]{43}$/);
  const oldLink = await section.getByLabel('Link zum Pass').inputValue();
  await section.getByRole('button', { name: 'Link kopieren' }).click();
  await expect(section.getByRole('status')).toHaveText('Link kopiert.');
  expect(await desk.evaluate(() => navigator.clipboard.readText())).toBe(oldLink);
  await screen(desk, '64-buchung-pass');
  await section.getByRole('button', { name: 'Neuen Link erzeugen' }).click();
  const confirm = desk.getByRole('dialog', { name: 'Neuen Link für den Pass erzeugen?' });
  await expect(confirm.getByText(/funktionieren danach sofort nicht mehr/)).toBeVisible();
  await screen(desk, '65-buchung-pass-neu-dialog');
  await confirm.getByRole('button', { name: 'Neuen Link erzeugen' }).click();
  await expect(section.getByRole('status')).toHaveText('Neuer Link erzeugt; der alte gilt nicht mehr.');
  const newLink = await section.getByLabel('Link zum Pass').inputValue();
  expect(newLink).not.toBe(oldLink);
  await desk.getByLabel('Sprache').selectOption('en');
  await expect(card.getByRole('region', { name: 'Site pass for the driver' })).toBeVisible();
  await screen(desk, '66-buchung-pass-en');
  await desk.getByLabel('Language').selectOption('de');
  await office.close();

  // The replaced link is dead at once.
  await driver.goto(oldLink);
  await expect(driver.getByRole('heading', { name: 'Pass nicht gefunden' })).toBeVisible();
  await screen(driver, '67-pass-unbekannt');
  await driver.getByRole('button', { name: 'English' }).click();
  await expect(driver.getByRole('heading', { name: 'Pass not found' })).toBeVisible();
  await screen(driver, '68-pass-unbekannt-en');
  await driver.getByRole('button', { name: 'Deutsch' }).click();

  // The dispatcher moves the booking: the same link shows the new time, waiting for approval.
  await booker.call('PATCH', `/api/projects/${project}/bookings/${second}`, { start: at(120), end: at(150) });
  await driver.goto(newLink);
  await expect(driver.getByRole('status').filter({ hasText: 'wartet noch auf die Freigabe' })).toBeVisible();
  await expect(driver.getByText(/\d{2}:\d{2}–\d{2}:\d{2}/)).toHaveText(new RegExp(`${hhmm(at(120))}–${hhmm(at(150))}`));
  await screen(driver, '68a-pass-wartet-auf-freigabe');

  // The booking is cancelled: its pass says so.
  await booker.call('POST', `/api/projects/${project}/bookings/${second}/cancel`, { reason: 'Lieferung verschoben' });
  await driver.goto(newLink);
  await expect(driver.getByRole('heading', { name: 'Pass nicht mehr gültig' })).toBeVisible();
  await expect(driver.getByText('Die Buchung wurde storniert.')).toBeVisible();
  await expect(driver.getByText(ZONE_RULES)).toHaveCount(0);
  await screen(driver, '69-pass-storniert');
  await driver.getByRole('button', { name: 'English' }).click();
  await expect(driver.getByText('The booking was cancelled.')).toBeVisible();
  await screen(driver, '70-pass-storniert-en');
  expect([...origins]).toEqual([new URL(base).origin]);
  await phone.close();
});

test('the gate finds a booking by its code and refuses another site’s pass, a dead pass and a missing camera', async ({ page }) => {
  const base = server.url;
  const tz = workdayZone();
  const owner = new Seed(base);
  await owner.registerAdmin('tor@hafenbau.example');
  const project = await owner.project('Hafenbau Los 2', tz);
  const other = await owner.project('Hafenbau Los 3', tz);
  const zone = await owner.resource(project, 'gate', 'Tor 2', '00:00', '23:59');
  const elsewhere = await owner.resource(other, 'gate', 'Tor 5', '00:00', '23:59');
  const start = new Date(Math.ceil((Date.now() + 120_000) / 60_000) * 60_000);
  const at = (min: number) => new Date(start.getTime() + min * 60_000).toISOString();
  /** A booking of the site itself (approved at once, or approved now), with its pass's QR code as pixels. */
  const approved = async (p: string, r: string, from: number, plate: string) => {
    const id = await owner.book(p, [r], at(from), at(from + 30), { licencePlate: plate });
    const b = await owner.call<{ status: string; code: string }>('GET', `/api/projects/${p}/bookings/${id}`);
    if (b.status === 'requested') await owner.call('POST', `/api/projects/${p}/bookings/${id}/approve`, {});
    const { link } = await owner.call<{ link: string }>('GET', `/api/projects/${p}/bookings/${id}/pass`);
    const token = link.split('/pass/')[1];
    const svg = await (await fetch(`${base}/api/passes/${token}/qr.svg`)).text();
    return { id, code: b.code, svg: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
  };
  const here = await approved(project, zone, 0, 'S-HB 200');
  const foreign = await approved(other, elsewhere, 0, 'S-HB 300');
  const cancelled = await approved(project, zone, 60, 'S-HB 400');
  await owner.call('POST', `/api/projects/${project}/bookings/${cancelled.id}/cancel`, { reason: 'Material fehlt' });
  // Rasterized on the blank page the test starts on (no CSP there).
  const foreignQr = await qrPixels(page, foreign.svg, 400, 300);
  const cancelledQr = await qrPixels(page, cancelled.svg, 400, 300);

  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, base, 'tor@hafenbau.example', `/p/${project}/gate`);
  await expect(page.getByRole('heading', { name: /^Tor/ })).toBeVisible();
  await screen(page, '71-tor-scan');

  // A code that cannot be one; then the code as people type it: small letters, no dash.
  const codeField = page.getByLabel('Buchungscode');
  await codeField.fill('ABC-DE');
  await page.getByRole('button', { name: 'Buchung suchen' }).click();
  await expect(page.getByText('Ein Buchungscode hat 6 Zeichen aus Buchstaben und Ziffern, z. B. ABC-DEF.')).toBeVisible();
  // The tablet's connection drops for the first lookup: the screen says it retries.
  let lookups = 0;
  await page.route('**/gate/lookup', (route) => (++lookups === 1 ? route.abort('internetdisconnected') : route.continue()));
  await codeField.fill(here.code.toLowerCase().replace('-', ''));
  await page.getByRole('button', { name: 'Buchung suchen' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Verbindung wird wiederholt… (Versuch 1)' })).toBeVisible();
  const found = page.getByRole('region', { name: 'Gescannte Buchung' });
  await expect(found.getByText('S-HB 200')).toBeVisible();
  await expect(found).toBeFocused();
  expect(lookups).toBe(2);
  await screen(page, '72-tor-code');
  // The check-in reaches the server but its answer is lost; the retry must
  // not check in twice. A double tap does not either: the button is off
  // while the request runs.
  let checkIns = 0;
  await page.route('**/check-in', async (route) => {
    if (++checkIns > 1) return route.continue();
    await route.fetch();
    await route.abort('connectionreset');
  });
  await found.getByRole('button', { name: 'Einchecken' }).dblclick();
  await expect(page.getByRole('status').filter({ hasText: 'S-HB 200 ist eingecheckt.' })).toBeVisible();
  const audit = await owner.call<{ items: { action: string; targetId: string }[] }>('GET', `/api/projects/${project}/audit?limit=200`);
  expect(audit.items.filter((e) => e.action === 'booking.checked-in' && e.targetId === here.id)).toHaveLength(1);
  expect(checkIns).toBe(2);

  // Another site's pass.
  await cameraShows(page, foreignQr);
  await page.getByRole('button', { name: 'Pass scannen' }).click();
  await expect(page.getByText('Dieser Pass gehört zu einer anderen Baustelle. Bitte den Fahrer dorthin schicken.')).toBeVisible();
  await screen(page, '73-tor-andere-baustelle');

  // A cancelled booking's pass.
  await cameraShows(page, cancelledQr);
  await page.getByRole('button', { name: 'Pass scannen' }).click();
  await expect(page.getByText('Pass ungültig: die Buchung wurde storniert.')).toBeVisible();
  await screen(page, '74-tor-pass-storniert');

  // No camera permission: say so, and the code field is there instead.
  await cameraShows(page, null);
  await page.getByRole('button', { name: 'Pass scannen' }).click();
  await expect(page.getByText(/Die Kamera ist nicht freigegeben/)).toBeVisible();
  await expect(codeField).toBeFocused();
  await screen(page, '75-tor-kamera-verweigert');
  await page.getByLabel('Sprache').selectOption('en');
  await expect(page.getByText(/The camera is not allowed/)).toBeVisible();
  await screen(page, '76-tor-kamera-verweigert-en');
  await page.getByLabel('Language').selectOption('de');
});

test('the pass page says when it cannot load, and loads again', async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const driver = await phone.newPage();
  await driver.route('**/api/passes/**', (route) => route.abort('internetdisconnected'));
  await driver.goto(`${server.url}/pass/${'x'.repeat(43)}`);
  await expect(driver.getByRole('heading', { name: 'Pass konnte nicht geladen werden' })).toBeVisible();
  await screen(driver, '77-pass-keine-verbindung');
  await driver.unroute('**/api/passes/**');
  await driver.getByRole('button', { name: 'Erneut laden' }).click();
  await expect(driver.getByRole('heading', { name: 'Pass nicht gefunden' })).toBeVisible();
  await phone.close();
});
