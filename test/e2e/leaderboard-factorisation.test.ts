import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

/** What an evaluation reports per layer: router accuracy, relative error, load and its entropy. */
const EXPERT_LOADS = [
  [0.4, 0.3, 0.2, 0.1],
  [0.25, 0.25, 0.25, 0.25],
];
const LAYER_METRICS: Record<string, number> = Object.fromEntries(
  EXPERT_LOADS.flatMap((shares, layer) => [
    [`layers.${layer}.router_accuracy`, 0.49 + 0.1 * layer],
    [`layers.${layer}.rel_error`, 0.12 - 0.02 * layer],
    [
      `layers.${layer}.load_entropy`,
      -shares.reduce((sum, share) => sum + share * Math.log(share), 0),
    ],
    ...shares.map((share, expert) => [`layers.${layer}.expert_load.${expert}`, share]),
  ]),
);

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
        decode_tok_s: 190 + 10 * i,
        dense_decode_tok_s: 100,
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
        [
          {
            retention: 0.97,
            perplexity: 180,
            speedup: 1.07,
            efficiency: 0.14,
            decode_tok_s: 120,
            dense_decode_tok_s: 100,
            ...LAYER_METRICS,
          },
        ],
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

  /**
   * The page, loaded anew at 1,024 px (charts size themselves when drawn) until `drawn` shows, fits
   * without scrolling sideways; its screenshot is kept.
   */
  async function fitsAndIsKept(name: string, drawn: string): Promise<void> {
    const shots = path.join(repoRoot, '.lab', 'screenshots');
    mkdirSync(shots, { recursive: true });
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.reload();
    await page.locator(drawn).waitFor();
    // A string, evaluated in the page: this file is type-checked without the DOM's types.
    const [scrollWidth, clientWidth] = await page.evaluate<[number, number]>(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    );
    expect(scrollWidth).toBe(clientWidth);
    await page.screenshot({ path: path.join(shots, `${name}-1024.png`), fullPage: true });
  }

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
      'N4 k1 coactivation linear factorllm PA KD FFN KD',
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

  it("shows a factorised run per layer: the experts' load as a heatmap, router accuracy, error", async () => {
    await page.goto(`${webUrl}/runs/${noPa}`);
    const panel = page.locator('[data-testid="layer-panel"]');
    await panel.waitFor();
    const rows = panel.locator('[data-testid="layer-row"]');
    expect(await rows.count()).toBe(2);
    const cell = (layer: number, column: string) =>
      panel.locator(`[data-layer="${layer}"] td[data-column="${column}"]`).textContent();
    expect(await cell(0, 'router-accuracy')).toBe('0.49');
    expect(await cell(1, 'rel-error')).toBe('0.1');
    expect(await cell(0, 'expert-0')).toBe('40.0%');
    expect(await cell(1, 'expert-3')).toBe('25.0%');
    expect(await cell(1, 'load-entropy')).toBe('1.38629'); // ln 4: balanced
    // ECharts drew the heatmap, one labelled cell per layer and expert.
    const heatmap = panel.locator('[data-testid="expert-load-heatmap"] svg');
    await heatmap.waitFor();
    const labels = await heatmap.locator('text').allTextContents();
    expect(labels.filter((text) => /^\d+\.\d%$/.test(text))).toEqual(
      expect.arrayContaining(['40.0%', '30.0%', '20.0%', '10.0%', '25.0%']),
    );
    // The shares are the heatmap's, not curves of their own.
    expect(
      await page.locator('[data-testid="metric-chart"][data-metric*="expert_load"]').count(),
    ).toBe(0);
    await fitsAndIsKept('factorised-run', '[data-testid="expert-load-heatmap"] svg');
  });

  it('draws decode speed as bars, each run beside its dense model measured in the same run', async () => {
    await page.goto(`${webUrl}/compare?runs=${repeated[0]},${noPa},${dense}`);
    const speeds = page.locator('[data-testid="decode-speeds"]');
    await speeds.waitFor();
    const row = (runId: string) =>
      speeds.locator(`[data-testid="decode-speed-row"][data-run-id="${runId}"]`);
    // The dense pretraining run measured no decode speed: it has no bar.
    expect(await speeds.locator('[data-testid="decode-speed-row"]').count()).toBe(2);
    expect(await row(repeated[0]!).locator('[data-column="speedup"]').textContent()).toBe('1.9x');
    expect(await row(noPa).locator('[data-column="dense"]').textContent()).toBe('100 tok/s');
    expect(await row(noPa).locator('[data-column="speedup"]').textContent()).toBe('1.2x');
    expect(await row(noPa).locator('th').textContent()).toContain('N4 k2');
    const chart = speeds.locator('[data-testid="decode-bars-chart"] svg');
    await chart.waitFor();
    expect(await chart.locator('text').allTextContents()).toEqual(
      expect.arrayContaining(['190', '120', 'dense, same run', 'this configuration']),
    );
    await fitsAndIsKept('compare-decode-speeds', '[data-testid="decode-bars-chart"] svg');
  });
});
