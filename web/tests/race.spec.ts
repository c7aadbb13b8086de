// Two people book the same slot at the same moment: exactly one wins; the
// other sees the conflict in plain words with the nearest free times.
import { expect, test } from '@playwright/test';
import { screen, signIn } from './helpers';
import { Seed, siteDate } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

test('two contexts book the same slot: one succeeds, the other gets the conflict with alternatives', async ({ browser }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('leitung@generalbau.example');
  const project = await seed.project();
  const zone = await seed.resource(project, 'unloadingZone', 'Entladezone Süd');
  const date = siteDate(2);
  const url = `${server.url}/p/${project}/book?res=${zone}&dur=60&date=${date}`;

  const pages = await Promise.all(
    [0, 1].map(async () => {
      const page = await (await browser.newContext()).newPage();
      await signIn(page, server.url, 'leitung@generalbau.example', url.replace(server.url, ''));
      await expect(page.getByRole('heading', { name: 'Slot buchen' })).toBeVisible();
      // Two pages load the free times at once; a list that re-renders under
      // the click is retried, not taken for a failure.
      const ten = page.getByRole('radio', { name: '10:00' });
      await expect(async () => {
        await ten.check();
        await expect(ten).toBeChecked();
      }).toPass();
      await page.getByLabel('Kennzeichen').fill('W-RACE1');
      return page;
    }),
  );
  await Promise.all(pages.map((p) => p.getByRole('button', { name: 'Um 10:00 buchen' }).click()));

  const outcomes = await Promise.all(
    pages.map(async (p) => {
      const won = p.getByRole('heading', { name: 'Gebucht (1)' });
      const lost = p.getByText('Dieser Slot wurde inzwischen vergeben.');
      await expect(won.or(lost)).toBeVisible();
      return (await won.isVisible()) ? 'won' : 'lost';
    }),
  );
  // A sorted copy: sort() in place would lose which page lost.
  expect([...outcomes].sort()).toEqual(['lost', 'won']);
  const loser = pages[outcomes.indexOf('lost')];
  await expect(loser.getByText('Die nächsten freien Zeiten:')).toBeVisible();
  // 10:00–11:00 is taken: the nearest free 60-minute starts are 09:00 and 11:00.
  await expect(loser.getByRole('button', { name: '09:00 nehmen' })).toBeVisible();
  await expect(loser.getByRole('button', { name: '11:00 nehmen' })).toBeVisible();
  await screen(loser, '20-konflikt');
  await loser.getByRole('button', { name: '11:00 nehmen' }).click();
  await loser.getByRole('button', { name: 'Um 11:00 buchen' }).click();
  await expect(loser.getByRole('heading', { name: 'Gebucht (1)' })).toBeVisible();
});
