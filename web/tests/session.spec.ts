// Sessions: a deep link while signed out comes back after sign-in; a
// session that can no longer be refreshed sends the person to sign-in and
// back to the same view; the language switch is stored in the profile;
// the wallboard shows the board alone and polls with If-None-Match (304).
import { expect, test } from '@playwright/test';
import { expectAccessible, screen, signIn } from './helpers';
import { Seed } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('expired session returns to the same view; English is stored in the profile; wallboard', async ({ page }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('sitzung@generalbau.example');
  const project = await seed.project();
  const zone = await seed.resource(project, 'unloadingZone', 'Zone Süd');
  await seed.book(project, [zone], '2027-05-03T06:00:00Z', '2027-05-03T07:00:00Z');
  const view = `/p/${project}/board?date=2027-05-03&kind=unloadingZone`;

  // Signed out, a deep link leads to sign-in and then to the view.
  await page.goto(`${server.url}${view}`);
  await expect(page.getByRole('heading', { name: 'Anmelden' })).toBeVisible();
  await signIn(page, server.url, 'sitzung@generalbau.example', view);
  await expect(page.getByRole('heading', { name: 'Tagesplan – Montag, 3. Mai 2027' })).toBeVisible();

  // The refresh token is revoked elsewhere and the access token is refused:
  // one silent refresh fails, and sign-in brings the person back here.
  const refreshToken = await page.evaluate(() => sessionStorage.getItem('insite-lms.refresh'));
  expect(refreshToken).toBeTruthy();
  await seed.call('POST', '/api/auth/logout', { refreshToken }, '');
  await page.route('**/api/projects/*/bookings?*', (route) => route.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"title":"Unauthorized","status":401}' }), { times: 1 });
  await page.getByRole('button', { name: 'Nächster Tag' }).click();
  await expect(page.getByText('Ihre Sitzung ist abgelaufen.')).toBeVisible();
  expect(page.url()).toContain('expired=1');
  await screen(page, '24-sitzung-abgelaufen');
  await page.getByLabel('E-Mail-Adresse').fill('sitzung@generalbau.example');
  await page.getByLabel('Passwort').fill('Baustelle-Sicher-2027');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await expect(page.getByRole('heading', { name: 'Tagesplan – Dienstag, 4. Mai 2027' })).toBeVisible();
  expect(new URL(page.url()).searchParams.get('kind')).toBe('unloadingZone');

  // English, stored in the profile: it survives a new sign-in.
  await page.getByLabel('Sprache').selectOption('en');
  await expect(page.getByRole('heading', { name: 'Day board – Tuesday, 4 May 2027' })).toBeVisible();
  await expect.poll(async () => (await seed.call<{ language: string }>('GET', '/api/me')).language).toBe('en');
  await expectAccessible(page, 'day board in English');
  await page.getByLabel('Language').selectOption('de');
  await expect(page.getByRole('heading', { name: /^Tagesplan/ })).toBeVisible();

  // The wallboard: the board alone, large, without controls.
  await page.goto(`${server.url}/p/${project}/board?date=2027-05-03&wall=1`);
  await expect(page.getByRole('heading', { name: /Wohnbau Seestadt · Tagesplan/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Nächster Tag' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^08:00–09:00, Freigegeben/ })).toBeVisible();
  await screen(page, '25-wandanzeige');
  // It refreshes itself with a conditional request: nothing changed, 304.
  const poll = await page.waitForResponse((r) => r.url().includes('/bookings?') && r.request().headers()['if-none-match'] !== undefined, {
    timeout: 25_000,
  });
  expect(poll.status()).toBe(304);
  await expect(page.getByRole('button', { name: /^08:00–09:00, Freigegeben/ })).toBeVisible();
});
