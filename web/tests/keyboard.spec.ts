// The booking flow with the keyboard alone: Tab to move, Space to tick,
// arrow keys inside the free-time radio group, typing, Enter to submit.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { PASSWORD } from './helpers';
import { Seed, siteDate } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

/** Presses Tab until `target` has focus (at most 60 times). */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${target} with Tab`);
}

test('sign in and book zone + crane with the keyboard only', async ({ page }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('tastatur@generalbau.example');
  const project = await seed.project();
  await seed.resource(project, 'unloadingZone', 'Zone West');
  await seed.resource(project, 'crane', 'Kran West');
  const date = siteDate(3);

  await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(`/p/${project}/book?date=${date}`)}`);
  await tabTo(page, page.getByLabel('E-Mail-Adresse'));
  await page.keyboard.type('tastatur@generalbau.example');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Slot buchen' })).toBeVisible();

  await tabTo(page, page.getByRole('checkbox', { name: /Zone West/ }));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByRole('checkbox', { name: /Kran West/ }));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByLabel('Dauer'));
  await page.keyboard.press('ArrowDown'); // 60 → 90 minutes
  await expect(page.getByLabel('Dauer')).toHaveValue('90');
  const times = page.getByRole('group', { name: /Freie Startzeiten/ });
  await expect(times).toBeVisible();
  // One tab stop into the group, then arrows move between the times.
  // The choice lives in the URL and renders a moment later: wait for each
  // step before the next key, as a person would see it move.
  const radios = times.getByRole('radio');
  await tabTo(page, radios.first());
  await page.keyboard.press('Space');
  await expect(radios.nth(0)).toBeChecked();
  await page.keyboard.press('ArrowRight');
  await expect(radios.nth(1)).toBeChecked();
  await page.keyboard.press('ArrowRight');
  await expect(radios.nth(2)).toBeChecked();
  const chosen = times.getByRole('radio', { checked: true });
  const time = (await chosen.evaluate((el) => el.parentElement?.textContent ?? '')).trim();
  expect(time).toBe('06:30');
  await tabTo(page, page.getByLabel('Kennzeichen'));
  await page.keyboard.type('W-TAST1');
  await tabTo(page, page.getByLabel('Material'));
  await page.keyboard.type('Ziegel');
  await tabTo(page, page.getByRole('button', { name: `Um ${time} buchen` }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Gebucht (1)' })).toBeVisible();
  await expect(page.getByText('Zone West + Kran West')).toBeVisible();
});
