// A phone (360 × 740): booking and the gate work without horizontal scrolling,
// with 44 px touch targets; a late arrival is highlighted at the gate.
import { expect, test } from '@playwright/test';
import { expectNoHorizontalScroll, screen, signIn } from './helpers';
import { Seed, siteDate, workdayZone } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

test('booking and gate fit a 360 px phone', async ({ page }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('handy@generalbau.example');
  const tz = workdayZone();
  const project = await seed.project(undefined, tz);
  const zone = await seed.resource(project, 'unloadingZone', 'Entladezone Nord', '00:00', '23:59');
  await seed.resource(project, 'crane', 'Turmdrehkran 1');
  // Something for the gate today, in two minutes (still today at the site:
  // its time zone is one where it is day now).
  const start = new Date(Math.ceil((Date.now() + 120_000) / 60_000) * 60_000);
  await seed.book(project, [zone], start.toISOString(), new Date(start.getTime() + 900_000).toISOString(), {
    licencePlate: 'W-HANDY1',
    company: 'Beton Huber GmbH',
  });

  // And one that should have arrived ten minutes ago: late.
  const south = await seed.resource(project, 'unloadingZone', 'Entladezone Süd', '00:00', '23:59');
  const lateStart = new Date(Math.floor((Date.now() - 600_000) / 60_000) * 60_000);
  await seed.book(project, [south], lateStart.toISOString(), new Date(lateStart.getTime() + 1_800_000).toISOString(), {
    licencePlate: 'W-SPAET1',
    company: 'Kies Maier',
  });

  await signIn(page, server.url, 'handy@generalbau.example', `/p/${project}/book?date=${siteDate(1, tz)}&res=${zone}`);
  await expect(page.getByRole('heading', { name: 'Slot buchen' })).toBeVisible();
  await expect(page.getByRole('group', { name: /Freie Startzeiten/ })).toBeVisible();
  await expectNoHorizontalScroll(page, 'booking');
  await page.getByRole('radio').first().tap();
  await page.getByLabel('Kennzeichen').fill('W-HANDY2');
  await screen(page, '22-handy-buchen');
  await page.getByRole('button', { name: /^Um .* buchen$/ }).tap();
  await expect(page.getByRole('heading', { name: 'Gebucht (1)' })).toBeVisible();
  await expectNoHorizontalScroll(page, 'booked');

  await page.goto(`${server.url}/p/${project}/gate`);
  await expect(page.getByText('W-HANDY1')).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'W-SPAET1' })).toContainText('verspätet');
  await expect(page.getByRole('listitem').filter({ hasText: 'W-HANDY1' })).not.toContainText('verspätet');
  await expectNoHorizontalScroll(page, 'gate');
  const checkIn = page.getByRole('button', { name: 'W-HANDY1 einchecken' });
  const box = await checkIn.boundingBox();
  expect(box && box.height >= 44 && box.width >= 44).toBe(true);
  await screen(page, '23-handy-tor');
  await checkIn.tap();
  await expect(page.getByText('W-HANDY1 ist eingecheckt.')).toBeVisible();
  await expectNoHorizontalScroll(page, 'gate after check-in');
});
