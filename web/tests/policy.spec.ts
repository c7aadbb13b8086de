// Policy re-acceptance: when the person accepted an older version than the
// current one (`policyUpdateRequired`), the app shows the new version and
// goes on only after it is accepted.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { screen, signIn } from './helpers';
import { Seed } from './seed';
import { startServer, type Server } from './server';

let server: Server;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  await server?.stop();
});

/**
 * A new policy version means every earlier acceptance is old. The binary
 * ships one version, so the test ages this person's acceptance in the
 * embedded store instead (Python's sqlite3, as scripts/test has Python).
 */
function ageAcceptance(dataDir: string, email: string): void {
  const script = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("""UPDATE documents SET body = json_set(body, '$.acceptedPolicyVersion', '2020-01-01')
                  WHERE json_extract(body, '$.email') = ? AND json_extract(body, '$.acceptedPolicyVersion') IS NOT NULL""",
               (sys.argv[2],)).rowcount
db.commit()
sys.exit(0 if n == 1 else f"aged {n} documents")
`;
  execFileSync('python3', ['-c', script, join(dataDir, 'documents.sqlite3'), email]);
}

test('an outdated acceptance shows the new policy and continues after accepting it', async ({ page }) => {
  const seed = new Seed(server.url);
  await seed.registerAdmin('richtlinie@generalbau.example');
  await seed.project('Kita Ost');
  ageAcceptance(server.dataDir, 'richtlinie@generalbau.example');

  await signIn(page, server.url, 'richtlinie@generalbau.example', '/projects');
  await expect(page.getByRole('heading', { name: 'Neue Datenschutzerklärung' })).toBeVisible();
  await expect(page.getByRole('region', { name: /Datenschutzerklärung, Version/ })).toBeVisible();
  await screen(page, '29-neue-datenschutzerklaerung');
  // The footer's privacy page says a newer version applies and leads back to accepting it.
  await page.getByRole('contentinfo').getByRole('link', { name: 'Datenschutzerklärung' }).click();
  await expect(page.getByText('Seit Ihrer Zustimmung gilt eine neue Fassung.')).toBeVisible();
  await screen(page, '29-datenschutz-neue-fassung');
  await page.getByRole('link', { name: 'Neue Fassung lesen und zustimmen' }).click();
  await expect(page.getByRole('heading', { name: 'Neue Datenschutzerklärung' })).toBeVisible();
  await page.getByRole('checkbox', { name: /akzeptiere/ }).check();
  await page.getByRole('button', { name: 'Akzeptieren und weiter' }).click();
  await expect(page.getByRole('heading', { name: 'Projekte' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Kita Ost' })).toBeVisible();
  const me = await seed.call<{ policyUpdateRequired: boolean }>('GET', '/api/me');
  expect(me.policyUpdateRequired).toBe(false);
});
