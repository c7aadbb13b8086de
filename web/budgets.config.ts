import { defineConfig } from '@playwright/test';

// `npm run budgets`: the performance budgets of docs/PERFORMANCE.md.
export default defineConfig({ testDir: './scripts', testMatch: 'budgets.spec.ts', workers: 1, reporter: [['list']], outputDir: 'test-results/budgets' });
