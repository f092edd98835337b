import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import type { Db } from '../../api/src/db/client.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { pipelineConfigSchema } from '../../gpu/src/jobs/pipeline-config.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { useDashboard } from './dashboard-fixture.ts';

/** A shipped FactorLLM example, validated as queueing it would store it. */
function pipelineConfig(example: string): object {
  const text = readFileSync(`${repoRoot}/examples/factorllm/${example}`, 'utf8');
  return pipelineConfigSchema.parse(JSON.parse(text));
}

/** Succeeded runs of one configuration, one a set of summary metrics each. */
async function seedRuns(
  db: Db,
  configuration: { hash: string; kind: string; config: object },
  metricsOfRuns: Record<string, number>[],
): Promise<string[]> {
  const experiment = await db.experiment.create({
    data: {
      name: configuration.hash,
      kind: configuration.kind,
      config: configuration.config,
      configHash: configuration.hash,
      runs: {
        create: metricsOfRuns.map((_, i) => ({
          status: 'SUCCEEDED' as const,
          finishedAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
        })),
      },
    },
    include: { runs: { orderBy: { finishedAt: 'asc' } } },
  });
  const ids = experiment.runs.map((run) => run.id);
  for (const [i, metrics] of metricsOfRuns.entries()) {
    const points = Object.entries(metrics).map(([key, value]) => ({ key, step: 0, value }));
    await writeMetricPoints(db, ids[i]!, points);
  }
  return ids;
}

/** Factorised configurations on the leaderboard and compare pages, in Chromium over the API. */
describe('factorised configurations on the leaderboard and compare pages', () => {
  let webUrl: string;
  let page: Page;
  let repeated: string[];
  let noPa: string;
  let dense: string;

  useDashboard({ seed: seedConfigurations, readyPath: '/leaderboard' }, (fresh) => {
    ({ webUrl, page } = fresh);
  });

  async function seedConfigurations({ database }: { database: TestDatabase }): Promise<void> {
    const db = database.db;
    // N4 k1 run three times: retention 0.92-0.94, efficiency past 1 on average (noise).
    repeated = await seedRuns(
      db,
      { hash: 'n4k1', kind: 'pipeline', config: pipelineConfig('demo-n4k1.json') },
      [0.92, 0.93, 0.94].map((retention, i) => ({
        retention,
        perplexity: 190 + 2 * i,
        speedup: 1.9 + 0.1 * i,
        bound: 2,
        efficiency: 0.9 + 0.2 * i,
      })),
    );
    noPa = (
      await seedRuns(
        db,
        {
          hash: 'n4k2-no-pa',
          kind: 'pipeline',
          config: pipelineConfig('ablation/n4k2-no-pa.json'),
        },
        [{ retention: 0.97, perplexity: 180, speedup: 1.07, efficiency: 0.14 }],
      )
    )[0]!;
    dense = (
      await seedRuns(db, { hash: 'dense', kind: 'pretrain', config: { steps: 1 } }, [
        { perplexity: 173.7 },
      ])
    )[0]!;
  }

  const row = (runId: string) =>
    page.locator(`[data-testid="leaderboard-row"][data-run-id="${runId}"]`);

  it('names each configuration by its factorisation, and dense models as dense', async () => {
    await page.goto(`${webUrl}/leaderboard?kind=pipeline,pretrain`);
    await page.locator('[data-testid="leaderboard-row"]').first().waitFor();
    const factorisation = (runId: string) =>
      row(runId).locator('[data-testid="factorisation-cell"]');
    const representative = await page
      .locator('[data-testid="leaderboard-row"]')
      .evaluateAll((rows) => rows.map((element) => element.getAttribute('data-run-id')));
    const repeatedRow = representative.find((id) => repeated.includes(id!))!;
    expect(await factorisation(repeatedRow).getAttribute('data-factorisation')).toBe(
      'N4 k1 sequential linear factorllm PA KD',
    );
    expect(await factorisation(noPa).getAttribute('data-factorisation')).toBe(
      'N4 k2 sequential linear factorllm no PA KD',
    );
    expect(await factorisation(noPa).locator('[data-part="PA"]').textContent()).toBe('PA✗');
    expect(await factorisation(noPa).locator('[data-part="k"]').textContent()).toBe('k2');
    expect(await factorisation(dense).textContent()).toBe('dense');
  });

  it('shows a configuration run three times as mean ± half its range, efficiency past 1 as noise', async () => {
    await page.goto(`${webUrl}/leaderboard?kind=pipeline`);
    const repeatedRow = page.locator('[data-testid="leaderboard-row"]', {
      has: page.locator('[data-factorisation^="N4 k1"]'),
    });
    const cell = (column: string) => repeatedRow.locator(`td[data-column="${column}"]`);
    expect(await cell('retention').textContent()).toBe('0.93 ±0.01 (2%, n=3)');
    expect(await cell('perplexity').textContent()).toBe('192 ±2 (2%, n=3)');
    expect(await cell('efficiency').textContent()).toMatch(/^1\.1 ±0\.2 \(36%, n=3\)noise$/);
    // A configuration of one run shows its own figure, without a spread.
    const single = row(noPa);
    expect(await single.locator('td[data-column="retention"]').textContent()).toBe('0.97');
    expect(await single.locator('[data-testid="noise-flag"]').count()).toBe(0);
  });

  it('compares the factorisations part by part, marking the parts that differ', async () => {
    await page.goto(`${webUrl}/compare?runs=${repeated[0]},${noPa},${dense}`);
    const part = (name: string) =>
      page.locator(`[data-testid="factorisation-row"][data-part="${name}"]`);
    await part('k').waitFor();
    const cells = (name: string) => part(name).locator('td').allTextContents();
    expect(await cells('k')).toEqual(['1', '2', '—']);
    expect(await cells('PA')).toEqual(['on', 'off', '—']);
    expect(await cells('dense')).toEqual(['—', '—', 'dense']);
    expect(await part('router').getAttribute('data-differs')).toBe('true');
    expect(await part('KD').getAttribute('data-differs')).toBe('true');
  });
});
