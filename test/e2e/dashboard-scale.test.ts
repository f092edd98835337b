import pg from 'pg';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seedRuns } from '../../api/src/bench/seed-runs.ts';
import { databaseTargets } from '../support/test-database.ts';
import { useDashboard } from './dashboard-fixture.ts';

const RUNS = 10_000;
const REPEATS = 5;
/** The targets; the test fails only past 5x them, the figures go to BENCHMARKS.md. */
const FIRST_PAGE_TARGET_MS = 1000;
const RESORT_TARGET_MS = 300;
const SLACK = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The leaderboard over 10,000 runs (about 5,000 finished configurations) in Chromium. */
describe('the leaderboard over 10,000 runs', () => {
  let webUrl: string;
  let page: Page;
  useDashboard(
    {
      target: databaseTargets()[0]!,
      seed: async ({ database }) => {
        const sql = new pg.Client({ connectionString: database.url });
        await sql.connect();
        try {
          await seedRuns(sql, RUNS, 8);
        } finally {
          await sql.end();
        }
      },
      viewport: { width: 1400, height: 900 },
    },
    (fresh) => ({ webUrl, page } = fresh),
  );

  it('shows its first page and re-sorts by a metric within the targets', async () => {
    const firstPage: number[] = [];
    const resort: number[] = [];
    const rows = page.locator('[data-testid="leaderboard-row"]');
    // One untimed visit warms the server's code paths; then alternating timed visits and re-sorts.
    await page.goto(`${webUrl}/leaderboard?sort=m1&dir=desc`);
    for (let i = 0; i < REPEATS; i++) {
      const started = performance.now();
      await page.goto(`${webUrl}/leaderboard?sort=m1&dir=desc`);
      await rows.first().waitFor();
      firstPage.push(performance.now() - started);
      expect(await rows.count()).toBe(25);

      const before = await rows.first().getAttribute('data-run-id');
      const clicked = performance.now();
      await page.locator('th a', { hasText: 'Finished' }).click();
      await page.locator('th[aria-sort="descending"]', { hasText: 'Finished' }).waitFor();
      resort.push(performance.now() - clicked);
      expect(await rows.first().getAttribute('data-run-id')).not.toBe(before);
    }
    const total = await page.locator('h1 .count').textContent();
    console.log(
      `leaderboard over ${RUNS} runs (${total} configurations): first page ` +
        `${firstPage.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${median(firstPage).toFixed(0)}); ` +
        `re-sort ${resort.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${median(resort).toFixed(0)})`,
    );
    expect(Number(total)).toBeGreaterThan(4000);
    expect(median(firstPage)).toBeLessThan(FIRST_PAGE_TARGET_MS * SLACK);
    expect(median(resort)).toBeLessThan(RESORT_TARGET_MS * SLACK);
  }, 120_000);
});
