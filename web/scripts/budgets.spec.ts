// Measures the web app's budgets on the production build (docs/PERFORMANCE.md):
//   1. JavaScript for the first screen, gzip-compressed: the entry script and
//      its modulepreloads from dist/index.html (other screens load lazily).
//   2. The day board with 200 bookings on one day: milliseconds from the
//      start of navigation until all 200 blocks are in the page, in Debian's
//      Chromium against the real binary on loopback (LMS_BIN, default the
//      debug build; a release build is faster).
//   3. Lighthouse (@lhci/cli 0.14, lighthouse 12) performance and
//      accessibility of the first screen, with CHROME_PATH=/usr/bin/chromium.
// Usage: cargo build && (cd web && npm run build && npm run budgets)
// (a Playwright spec so that it shares the suite's TypeScript helpers).
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, test } from '@playwright/test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { startServer } from '../tests/server';
import { Seed } from '../tests/seed';
import { PASSWORD } from '../tests/helpers';

test.setTimeout(600_000);

test('budgets', async () => {
const dist = new URL('../dist/', import.meta.url).pathname;
const results: string[] = [];
let failed = false;
const report = (name: string, value: string | number, limit: string, ok: boolean) => {
  results.push(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${value} (budget ${limit})`);
  if (!ok) failed = true;
};

// 1. First-screen JavaScript.
const index = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const gz = scripts.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);
report(`first-screen JS (${scripts.join(', ')}) gzip`, `${(gz / 1024).toFixed(1)} kB`, '200 kB', gz <= 200 * 1024);

// 2. Day board with 200 bookings.
const server = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const seed = new Seed(server.url);
  await seed.registerAdmin('budget@generalbau.example');
  const project = await seed.project();
  const resources: string[] = [];
  for (let i = 1; i <= 20; i++) resources.push(await seed.resource(project, i % 4 === 0 ? 'crane' : 'unloadingZone', `Ressource ${i}`));
  // 10 bookings of 60 minutes per resource, 08:00–18:00 Vienna (06:00Z in summer).
  for (const r of resources) {
    for (let h = 0; h < 10; h++) {
      const start = new Date(Date.UTC(2027, 5, 15, 6 + h));
      await seed.book(project, [r], start.toISOString(), new Date(start.getTime() + 3_600_000).toISOString(), { licencePlate: `W-${h}${r.slice(-4)}` });
    }
  }
  const page = await (await browser.newContext({ locale: 'de-AT' })).newPage();
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel('E-Mail-Adresse').fill('budget@generalbau.example');
  await page.getByLabel('Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByRole('heading', { name: 'Projekte' }).waitFor();
  const samples: number[] = [];
  for (let run = 0; run < 5; run++) {
    await page.goto(`${server.url}/p/${project}/board?date=2027-06-15`);
    await page.waitForFunction(() => document.querySelectorAll('.blocks li').length >= 200, null, { timeout: 15_000 });
    samples.push(await page.evaluate(() => Math.round(performance.now())));
  }
  samples.sort((a, b) => a - b);
  const median = samples[2];
  report(`day board, 200 bookings, navigation → all blocks shown (median of 5: ${samples.join(', ')} ms)`, `${median} ms`, '1000 ms', median <= 1000);

  // 3. Lighthouse on the first screen (sign-in), desktop preset, loopback.
  const lhci = new URL('../node_modules/.bin/lhci', import.meta.url).pathname;
  if (existsSync(lhci)) {
    const out = mkdtempSync(join(tmpdir(), 'lhci-'));
    execFileSync(
      lhci,
      [
        'collect',
        `--url=${server.url}/sign-in`,
        '--numberOfRuns=3',
        `--settings.chromeFlags=--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync`,
        '--settings.onlyCategories=performance,accessibility',
      ],
      { env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium', LHCI_BUILD_CONTEXT__CURRENT_HASH: 'local' }, cwd: out, stdio: 'inherit' },
    );
    const dir = join(out, '.lighthouseci');
    const lhrs = readdirSync(dir)
      .filter((f) => f.startsWith('lhr-') && f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
    const scores = (cat: string): number[] => lhrs.map((l) => l.categories[cat].score as number).sort((a, b) => a - b);
    const perf = scores('performance');
    const a11y = scores('accessibility');
    const mid = (xs: number[]) => xs[Math.floor(xs.length / 2)];
    report(`Lighthouse performance, sign-in (runs: ${perf.join(', ')})`, mid(perf), '≥ 0.9', mid(perf) >= 0.9);
    report(`Lighthouse accessibility, sign-in (runs: ${a11y.join(', ')})`, mid(a11y), '= 1.0', mid(a11y) === 1);
  } else {
    results.push('skip Lighthouse: @lhci/cli is not installed (npm ci in web/)');
  }
} finally {
  await browser.close();
  await server.stop();
}
console.log(results.join('\n'));
mkdirSync(new URL('../test-results/', import.meta.url).pathname, { recursive: true });
writeFileSync(new URL('../test-results/budgets.txt', import.meta.url).pathname, results.join('\n') + '\n');
if (failed) throw new Error(`over budget:\n${results.join('\n')}`);
});
