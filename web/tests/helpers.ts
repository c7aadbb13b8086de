import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const PASSWORD = 'Baustelle-Sicher-2027';
const shots = join(import.meta.dirname, '..', 'test-results', 'screenshots');

/** Zero WCAG 2.1 AA violations (axe tags wcag2a, wcag2aa, wcag21a, wcag21aa) on the page as it is now. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = result.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('; ')})`,
  );
  expect(summary, `axe violations on ${what}`).toEqual([]);
}

/** A full-page screenshot kept as an artifact (test-results/screenshots/NAME.png). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Checks and records a screen: axe, then a screenshot. */
export async function screen(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await screenshot(page, name);
}

export async function signIn(page: Page, base: string, email: string, next = ''): Promise<void> {
  await page.goto(`${base}/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('E-Mail-Adresse').fill(email);
  await page.getByLabel('Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
}

/** Nothing wider than the viewport: no horizontal scrolling. */
export async function expectNoHorizontalScroll(page: Page, what: string): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, `${what}: page is ${scroll}px wide in a ${width}px viewport`).toBeLessThanOrEqual(width);
}

/**
 * Ticks a control whose state lives in the URL: it turns checked a render
 * after the click, which `check()` would take for a failed click on a slow machine.
 */
export async function tick(control: Locator): Promise<void> {
  await control.click();
  await expect(control).toBeChecked();
}
