import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../api/src/db/client.ts';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../api/src/config.ts';
import { seriesColor } from '../../web/lib/chart-palette.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import type { TestApi } from '../support/api.ts';
import { settledTitle, shortcutsReady } from '../support/browser.ts';
import { queueSelftest } from '../support/runs.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { useDashboard } from './dashboard-fixture.ts';

interface SeededRun {
  id: string;
  config: Record<string, unknown>;
  metrics: Record<string, number>;
}

interface Seed {
  kind: string;
  config: Record<string, unknown>;
  tags?: string[];
  status?: 'SUCCEEDED' | 'RUNNING';
  minute: number;
  metrics?: Record<string, number>;
  lossSteps?: number;
  device?: Record<string, string | boolean>;
}

const loss = (step: number) => 4 / (1 + step / 50) + (step % 7) * 0.01;

/** An experiment of its own configuration with one run, its summary metrics and a loss curve. */
async function seedRun(db: Db, seed: Seed): Promise<SeededRun> {
  const hash = JSON.stringify([seed.kind, seed.config]);
  const experiment = await db.experiment.create({
    data: {
      name: `${seed.kind} ${seed.minute}`,
      kind: seed.kind,
      config: seed.config as object,
      configHash: hash,
      tags: seed.tags ?? [],
      runs: {
        create: {
          status: seed.status ?? 'SUCCEEDED',
          ...(seed.device ? { device: seed.device } : {}),
          startedAt: new Date(Date.UTC(2026, 0, 1, 0, seed.minute)),
          finishedAt:
            seed.status === 'RUNNING' ? null : new Date(Date.UTC(2026, 0, 1, 1, seed.minute)),
        },
      },
    },
    include: { runs: true },
  });
  const id = experiment.runs[0]!.id;
  const metrics = seed.metrics ?? {};
  await writeMetricPoints(db, id, [
    ...Object.entries(metrics).map(([key, value]) => ({ key, step: 0, value })),
    ...Array.from({ length: seed.lossSteps ?? 0 }, (_, step) => ({
      key: 'loss',
      step,
      value: loss(step),
    })),
  ]);
  return { id, config: seed.config, metrics };
}

const rowIds = (page: Page, testId: string) =>
  page
    .locator(`[data-testid="${testId}"]`)
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-run-id')));

const SERIES = `query($id: ID!) {
  run(id: $id) { series(keys: ["loss"], samples: 500) { totalPoints points { step } } }
}`;

/** The dashboard (next start over the production build) against the API on a seeded database. */
describe('dashboard pages in Chromium over the API and a seeded database', () => {
  let database: TestDatabase;
  let api: TestApi;
  let webUrl: string;
  let page: Page;
  const runs: Record<string, SeededRun> = {};
  let sweepId: string;
  let sweepRunIds: string[];
  let beatingWorkerId: string;

  // The pages are under test here, not the SQL (api/test runs that on both servers).
  useDashboard({ seed: seedDashboard, readyPath: '/leaderboard' }, (fresh) => {
    ({ database, api, webUrl, page } = fresh);
  });

  async function seedDashboard({ database }: { database: TestDatabase }): Promise<void> {
    const db = database.db;
    const base = { model: 'llama-mini', experts: 8, topK: 2, optim: { lr: 0.001 } };
    const nightly = ['nightly'];
    // Three nightly factorize configurations, ranked differently by each metric.
    runs.a = await seedRun(db, {
      kind: 'factorize',
      config: base,
      tags: nightly,
      minute: 1,
      metrics: { retention: 0.91, perplexity: 9.5, decode_tok_s: 120, speedup: 1.6 },
      lossSteps: 1200,
      device: { description: 'llvmpipe (LLVM 19.1.7, 256 bits)', isCpu: true },
    });
    runs.b = await seedRun(db, {
      kind: 'factorize',
      config: { ...base, experts: 16, optim: { lr: 0.0005 } },
      tags: nightly,
      minute: 2,
      metrics: { retention: 0.85, perplexity: 11.2, decode_tok_s: 180, speedup: 2.4 },
      lossSteps: 40,
    });
    // b's speeds were measured as a benchmark row on another device than the run's.
    await db.benchmark.create({
      data: {
        runId: runs.b.id,
        batch: 1,
        promptLen: 64,
        genLen: 64,
        prefillTokS: 900,
        decodeTokS: 180,
        speedup: 2.4,
        bound: 4,
        efficiency: 1.4 / 3,
        device: { description: 'NVIDIA H200' },
      },
    });
    runs.c = await seedRun(db, {
      kind: 'factorize',
      config: { ...base, topK: 1 },
      tags: nightly,
      minute: 3,
      metrics: { retention: 0.95, perplexity: 8.1, decode_tok_s: 90, speedup: 1.2 },
    });
    // Filtered out: not nightly, another kind, and a run still going.
    runs.untagged = await seedRun(db, {
      kind: 'factorize',
      config: { ...base, experts: 4 },
      minute: 4,
      metrics: { retention: 0.99, speedup: 1.1 },
    });
    runs.selftest = await seedRun(db, {
      kind: 'selftest',
      config: { size: 64 },
      tags: nightly,
      minute: 5,
      metrics: { gflops: 3 },
    });
    runs.running = await seedRun(db, {
      kind: 'factorize',
      config: { ...base, experts: 32 },
      status: 'RUNNING',
      minute: 6,
      lossSteps: 10,
    });
    // More sweep points than one leaderboard page holds (25).
    for (let point = 0; point < 27; point++) {
      runs[`sweep${point}`] = await seedRun(db, {
        kind: 'sweep',
        config: { point },
        minute: 10 + point,
        metrics: { retention: 0.5 + point / 100, speedup: 1 + point / 10 },
      });
    }

    // A sweep whose one point ran three times: its figures are shown as a mean and spread.
    const sweep = await db.sweep.create({
      data: { name: 'bench repeats', kind: 'inference-bench', strategy: 'GRID', spec: {} },
    });
    sweepId = sweep.id;
    const repeated = await db.experiment.create({
      data: {
        name: 'bench repeat',
        kind: 'inference-bench',
        config: { model: '/models/demo', experts: 4, topK: 1 },
        configHash: 'bench-repeat',
        sweepId,
        runs: { create: [0, 1, 2].map(() => ({ status: 'SUCCEEDED' as const })) },
      },
      include: { runs: true },
    });
    sweepRunIds = repeated.runs.map((run) => run.id);
    // Decode speeds 100, 120 and 110 (mean 110, spread ±10); efficiency past 1 is noise.
    for (const [i, id] of sweepRunIds.entries()) {
      await writeMetricPoints(db, id, [
        { key: 'decode_tok_s', step: 0, value: 100 + [0, 20, 10][i]! },
        { key: 'efficiency', step: 0, value: 1.1 },
      ]);
    }
    // A registered model that one run used, and two workers: one beating, one silent for 10 min.
    await db.registeredModel.create({
      data: {
        name: 'demo-like',
        path: '/models/demo',
        config: {
          num_hidden_layers: 4,
          hidden_size: 256,
          intermediate_size: 688,
          num_attention_heads: 4,
          vocab_size: 4096,
          torch_dtype: 'float32',
        },
        parameterCount: 4_200_000,
        bytes: 16_000_000,
        sha256: 'ab'.repeat(32),
      },
    });
    beatingWorkerId = (
      await db.worker.create({
        data: { host: 'gpu-box', pid: 11, adapter: { description: 'NVIDIA H200' } },
      })
    ).id;
    await db.worker.create({
      data: { host: 'old-box', pid: 12, lastSeenAt: new Date(Date.now() - 600_000) },
    });
    await db.worker.create({
      data: { host: 'gpu-box', pid: 10, stoppedAt: new Date(), exitReason: 'killed by SIGKILL' },
    });
  }

  it('shows the leaderboard sorted and filtered as its URL says, and re-sorts from a header', async () => {
    await page.goto(`${webUrl}/leaderboard?kind=factorize&tag=nightly&sort=retention&dir=desc`);
    expect(await rowIds(page, 'leaderboard-row')).toEqual([runs.c!.id, runs.a!.id, runs.b!.id]);
    const retention = page.locator('th', { hasText: 'Retention' });
    expect(await retention.getAttribute('aria-sort')).toBe('descending');
    expect(await page.locator('input[name="kind"]').inputValue()).toBe('factorize');
    expect(await page.locator('input[name="tag"]').inputValue()).toBe('nightly');
    // Columns and the device come from what the schema offers: bound is newer than the dashboard.
    const cell = (run: SeededRun, column: string) =>
      page.locator(`[data-run-id="${run.id}"] td[data-column="${column}"]`).textContent();
    expect(await cell(runs.b!, 'decodeTokS')).toBe('180');
    expect(await cell(runs.b!, 'bound')).toBe('4');
    expect(await cell(runs.b!, 'device')).toBe('NVIDIA H200');
    // The device as a short label, its full description on hover.
    expect(await cell(runs.a!, 'device')).toBe('llvmpipeCPU');
    expect(
      await page
        .locator(`[data-run-id="${runs.a!.id}"] td[data-column="device"] .device-label`)
        .getAttribute('title'),
    ).toBe('llvmpipe (LLVM 19.1.7, 256 bits)');
    // The config cell leads with the keys that vary across the rows on screen.
    const configCell = (run: SeededRun) =>
      page.locator(`[data-run-id="${run.id}"] .config-varied`).textContent();
    expect(await configCell(runs.a!)).toBe('experts=8 optim.lr=0.001 topK=2');
    expect(await configCell(runs.c!)).toBe('experts=8 optim.lr=0.001 topK=1');
    // Speed against quality: one point per row, the Pareto front being all three here.
    expect((await rowIds(page, 'scatter-point')).sort()).toEqual(
      [runs.a!.id, runs.b!.id, runs.c!.id].sort(),
    );
    // ECharts drew them: one symbol each, in the first series color.
    const symbols = page.locator(
      `[data-testid="scatter-chart"] svg path[fill="${seriesColor(0)}"]`,
    );
    await symbols.first().waitFor();
    expect(await symbols.count()).toBe(3);

    // Lower perplexity is better, so its header sorts ascending first; the filters stay.
    // Exactly this column's header: the schema may offer others that start alike (perplexity ratio).
    await page.locator('th a', { hasText: /^Perplexity\W*$/ }).click();
    await page.waitForURL(/sort=perplexity&dir=asc/);
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Perplexity' }).waitFor();
    expect(new URL(page.url()).searchParams.get('kind')).toBe('factorize');
    expect(await rowIds(page, 'leaderboard-row')).toEqual([runs.c!.id, runs.a!.id, runs.b!.id]);
    await page.locator('th a', { hasText: /^Speedup\W*$/ }).click();
    await page.locator('th[aria-sort="descending"]', { hasText: 'Speedup' }).waitFor();
    expect(await rowIds(page, 'leaderboard-row')).toEqual([runs.b!.id, runs.a!.id, runs.c!.id]);

    // A click on a point of the scatter opens that configuration's run (ECharts hit-tests the
    // mouse position on its own canvas, so the click goes there rather than to the path element).
    await symbols.first().scrollIntoViewIfNeeded();
    const box = (await symbols.first().boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const opened = new URL(page.url()).pathname.split('/').pop();
    expect([runs.a!.id, runs.b!.id, runs.c!.id]).toContain(opened);
  });

  it('pages through the leaderboard with keyset cursors, each configuration once', async () => {
    await page.goto(`${webUrl}/leaderboard?kind=sweep&sort=speedup&dir=asc`);
    const first = await rowIds(page, 'leaderboard-row');
    await page.locator('[data-testid="next-page"]').click();
    await page.waitForURL(/after=/);
    const second = await rowIds(page, 'leaderboard-row');
    const expected = Array.from({ length: 27 }, (_, point) => runs[`sweep${point}`]!.id);
    expect([first.length, second.length]).toEqual([25, 2]);
    expect([...first, ...second]).toEqual(expected);
    expect(await page.locator('[data-testid="next-page"]').count()).toBe(0);
  });

  it('opens compare from two ticked rows with only their differing config keys, then all', async () => {
    await page.goto(`${webUrl}/leaderboard?kind=factorize&tag=nightly&sort=retention&dir=desc`);
    await page.locator(`[data-run-id="${runs.a!.id}"] [data-testid="compare-checkbox"]`).check();
    await page.locator(`[data-run-id="${runs.b!.id}"] [data-testid="compare-checkbox"]`).check();
    await page.locator('[data-testid="compare-count"]', { hasText: '2 selected' }).waitFor();
    await page.locator('[data-testid="compare-selected"]').click();
    await page.waitForURL(/\/compare\?runs=/);
    expect(new URL(page.url()).searchParams.get('runs')).toBe(`${runs.a!.id},${runs.b!.id}`);

    const keys = () =>
      page
        .locator('[data-testid="config-row"]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')));
    expect(await keys()).toEqual(['experts', 'optim.lr']);
    const experts = page.locator('[data-testid="config-row"][data-key="experts"] td');
    expect(await experts.allTextContents()).toEqual(['8', '16']);
    const retention = page.locator('[data-testid="metric-row"][data-key="retention"] td');
    expect(await retention.allTextContents()).toEqual(['0.91', '0.85']);
    // Benchmarks aligned the same way: only b has a benchmark row.
    const decode = page.locator('[data-testid="benchmark-row"][data-label="Decode tok/s"] td');
    expect(await decode.allTextContents()).toEqual(['—', '180']);
    // Both loss curves overlaid on one chart, each with its run's points.
    const lines = page.locator(
      '[data-testid="metric-chart"][data-metric="loss"] [data-testid="chart-line"]',
    );
    expect(
      await lines.evaluateAll((all) => all.map((line) => line.getAttribute('data-run-id'))),
    ).toEqual([runs.a!.id, runs.b!.id]);

    await page.locator('[data-testid="differing-toggle"]').click();
    await page.waitForURL(/all=1/);
    await page.locator('[data-testid="config-row"][data-key="model"]').waitFor();
    expect(await keys()).toEqual(['experts', 'model', 'optim.lr', 'topK']);
  });

  it('compares runs by the short ids pasted into its box, naming a prefix that names no run', async () => {
    const comparedIds = () =>
      page
        .locator('[data-testid="compared-runs"] thead th[data-run-id]')
        .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-run-id')));
    await page.goto(`${webUrl}/compare`);
    const box = page.locator('[data-testid="compare-ids"]');
    // As the tables show them (8 digits), one in capitals, with a space after the comma.
    await box.fill(`${runs.a!.id.slice(0, 8)}, ${runs.c!.id.slice(0, 8).toUpperCase()}`);
    await box.press('Enter');
    // Resolved once, on the dashboard's server: the address then holds the full ids.
    await page.waitForURL((url) => url.searchParams.get('runs') === `${runs.a!.id},${runs.c!.id}`);
    await page.locator('[data-testid="compare"]').waitFor();
    expect(await comparedIds()).toEqual([runs.a!.id, runs.c!.id]);

    await page.goto(`${webUrl}/compare`);
    await box.fill(`${runs.a!.id.slice(0, 8)},ffff0000,zz`);
    await box.press('Enter');
    const unresolved = page.locator('[data-testid="compare-unresolved"] li');
    await unresolved.first().waitFor();
    expect(await unresolved.allTextContents()).toEqual([
      'no run id starts with "ffff0000"',
      '"zz" is not a run id or the start of one: ids are hex digits such as 1a2b3c4d',
    ]);
    // Nothing compared, and the ids stay in the box to be corrected.
    expect(await page.locator('[data-testid="compare"]').count()).toBe(0);
    expect(await box.inputValue()).toBe(`${runs.a!.id.slice(0, 8)},ffff0000,zz`);
  });

  it('charts exactly the points the API holds for a run, and follows a running run live', async () => {
    const polylineSteps = async () => {
      const steps = await page
        .locator(
          '[data-testid="metric-chart"][data-metric="loss"] [data-testid="chart-line"][data-key="loss"]',
        )
        .getAttribute('data-steps');
      return steps === null ? [] : steps.split(',').map(Number);
    };
    const apiSteps = async (id: string) => {
      const { data } = await api.gql<{
        run: { series: { totalPoints: number; points: { step: number }[] }[] };
      }>(SERIES, { id });
      const [series] = data!.run.series;
      return { total: series!.totalPoints, steps: series!.points.map((point) => point.step) };
    };

    await page.goto(`${webUrl}/runs/${runs.a!.id}`);
    const held = await apiSteps(runs.a!.id);
    expect(held.total).toBe(1200);
    expect(held.steps.length).toBeLessThanOrEqual(500);
    expect(await polylineSteps()).toEqual(held.steps);
    const caption = page.locator('[data-testid="metric-chart"][data-metric="loss"] figcaption');
    expect(await caption.textContent()).toContain(`${held.steps.length} of 1200 points`);
    // ECharts drew the curve: one SVG path per line (and the min-max band of merged buckets).
    await page
      .locator(
        '[data-testid="metric-chart"][data-metric="loss"] .echart svg path[stroke="#2f5fd0"]',
      )
      .first()
      .waitFor({ state: 'attached' });
    // b's run page lists its benchmark row, its efficiency (below 1) without a noise flag.
    await page.goto(`${webUrl}/runs/${runs.b!.id}`);
    const benchmark = page.locator('[data-testid="run-benchmark-row"]');
    expect(await benchmark.locator('td[data-column="decodeTokS"]').textContent()).toBe('180');
    expect(await benchmark.locator('[data-testid="noise-flag"]').count()).toBe(0);
    await page.goto(`${webUrl}/runs/${runs.a!.id}`);
    // Single values (step 0 only) stay in the metrics table.
    expect(
      await page.locator('[data-testid="metric-chart"][data-metric="retention"]').count(),
    ).toBe(0);

    await page.goto(`${webUrl}/runs/${runs.running!.id}`);
    expect(await polylineSteps()).toEqual(Array.from({ length: 10 }, (_, step) => step));
    const more = Array.from({ length: 5 }, (_, i) => ({
      key: 'loss',
      step: 10 + i,
      value: loss(10 + i),
    }));
    await writeMetricPoints(database.db, runs.running!.id, more);
    await page
      .locator('[data-testid="metric-chart"][data-metric="loss"] figcaption', {
        hasText: '15 points',
      })
      .waitFor({ timeout: 10_000 });
    expect(await polylineSteps()).toEqual((await apiSteps(runs.running!.id)).steps);
  });

  it('filters and sorts runs by the URL and by text typed, opens a run by its short id, and shows a new run live', async () => {
    await page.goto(`${webUrl}/?status=running`);
    expect(await rowIds(page, 'run-row')).toEqual([runs.running!.id]);
    await page.goto(`${webUrl}/?kind=selftest&sort=queued&dir=asc`);
    expect(await rowIds(page, 'run-row')).toEqual([runs.selftest!.id]);
    // The filter's own field: the column chooser carries the filters along in hidden fields.
    expect(await page.locator('[data-testid="runs-filters"] input[name="kind"]').inputValue()).toBe(
      'selftest',
    );

    // A run queued while the page is open appears without a reload.
    const started = Date.now();
    const queued = await queueSelftest(database.db, { size: 8 });
    await page
      .locator(`[data-testid="run-row"][data-run-id="${queued.id}"]`)
      .waitFor({ timeout: 5000 });
    const appearedMs = Date.now() - started;
    console.log(`dashboard: a newly queued run appeared on the runs page after ${appearedMs} ms`);

    // Typing in the search box narrows the list once typing pauses, the URL following.
    await page.goto(`${webUrl}/?sort=queued&dir=asc`);
    await shortcutsReady(page);
    const search = page.locator('[data-testid="runs-text"]');
    await search.pressSequentially('"lr": 0.0005');
    await page.waitForURL((url) => url.searchParams.get('q') === '"lr": 0.0005');
    await expect.poll(() => rowIds(page, 'run-row')).toEqual([runs.b!.id]);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('queued');
    // An id's first digits, as the tables show them.
    await search.fill(runs.c!.id.slice(0, 8));
    await page.waitForURL((url) => url.searchParams.get('q') === runs.c!.id.slice(0, 8));
    await expect.poll(() => rowIds(page, 'run-row')).toEqual([runs.c!.id]);
    // The next page keeps the text: 27 sweep runs, 20 a page, oldest first.
    await search.fill('SWEEP');
    await page.locator('h1 .count', { hasText: '27' }).waitFor();
    await page.locator('[data-testid="load-more"]').click();
    await page.waitForURL((url) => url.searchParams.has('after'));
    expect(new URL(page.url()).searchParams.get('q')).toBe('SWEEP');
    await expect
      .poll(async () => (await rowIds(page, 'run-row')).sort())
      .toEqual(Array.from({ length: 7 }, (_, i) => runs[`sweep${20 + i}`]!.id).sort());
    // Escape empties the box, and the list is every run again.
    await search.press('Escape');
    await page.waitForURL((url) => !url.searchParams.has('q') && !url.searchParams.has('after'));
    await page.locator('h1 .count', { hasText: '27' }).waitFor({ state: 'detached' });
    // Live with a text too: a run queued later that matches it appears without a reload.
    await search.fill('"size": 12');
    await page.locator('[data-testid="runs-empty"]').waitFor();
    const matching = await queueSelftest(database.db, { size: 12 });
    await page
      .locator(`[data-testid="run-row"][data-run-id="${matching.id}"]`)
      .waitFor({ timeout: 5000 });

    await page.locator('[data-testid="open-run-id"]').fill(runs.a!.id.slice(0, 8));
    await page.locator('[data-testid="open-run-id"]').press('Enter');
    await page.waitForURL(new RegExp(`/runs/${runs.a!.id}$`));
    const runTitle = `Run ${runs.a!.id.slice(0, 8)} · factorize`;
    expect(await settledTitle(page, runTitle)).toContain(runTitle);
  });

  it('cancels, retries and clones a run from its page', async () => {
    const queued = await queueSelftest(database.db, { size: 8 });
    await page.goto(`${webUrl}/runs/${queued.id}`);
    await page.locator('[data-testid="cancel-run"]').click();
    await page.locator('.status-badge[data-status="CANCELLED"]').waitFor();

    await page.locator('[data-testid="retry-run"]').click();
    await page.waitForURL((url) => !url.pathname.endsWith(queued.id));
    const retriedId = new URL(page.url()).pathname.split('/').pop()!;
    const retried = await database.db.run.findUniqueOrThrow({ where: { id: retriedId } });
    expect([retried.experimentId, retried.status]).toEqual([queued.experimentId, 'QUEUED']);

    await page.locator('[data-testid="clone-toggle"]').click();
    const editor = page.locator('[data-testid="clone-config"]');
    const config = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    await editor.fill(JSON.stringify({ ...config, size: 0 }));
    await page.locator('[data-testid="clone-run"]').click();
    await page.locator('[data-testid="clone-error"]').waitFor();
    expect(await page.locator('[data-testid="clone-error"]').textContent()).toMatch(/size/);
    await editor.fill(JSON.stringify({ ...config, size: 16 }));
    await page.locator('[data-testid="clone-run"]').click();
    await page.waitForURL((url) => !url.pathname.endsWith(retriedId));
    const cloneId = new URL(page.url()).pathname.split('/').pop()!;
    const clone = await database.db.run.findUniqueOrThrow({
      where: { id: cloneId },
      include: { experiment: true },
    });
    expect(clone.experiment.config).toMatchObject({ size: 16 });
  });

  it('shows a sweep with its repeated measurements as a mean and spread, efficiency past 1 as noise', async () => {
    await page.goto(`${webUrl}/runs/${sweepRunIds[0]}`);
    await page.locator('[data-testid="sweep-link"]').click();
    await page.waitForURL(new RegExp(`/sweeps/${sweepId}$`));
    const decode = page.locator('[data-testid="sweep-point"] td[data-column="decode_tok_s"]');
    expect(await decode.textContent()).toMatch(/^110 ±10 \(18%, n=3\)$/);
    const efficiency = page.locator('[data-testid="sweep-point"] td[data-column="efficiency"]');
    expect(await efficiency.locator('[data-testid="noise-flag"]').count()).toBe(1);
  });

  it('lists registered models with the runs that used them, and workers by state', async () => {
    await seedRun(database.db, {
      kind: 'inference-bench',
      config: { model: '/models/demo' },
      minute: 50,
    });
    await page.goto(`${webUrl}/models`);
    const row = page.locator('[data-testid="model-row"]');
    expect(await row.locator('[data-testid="model-runs"]').textContent()).toBe('4');
    // Shape, parameter count, dtype, size and sha256 (its head, the whole on hover), as registered.
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(1, 6)).toEqual([
      '4 × 256 (FFN 688), 4 heads, vocab 4096',
      '4.2M',
      'float32',
      '15.3 MiB',
      'ab'.repeat(6),
    ]);
    expect(await row.locator('td').nth(5).getAttribute('title')).toBe('ab'.repeat(32));

    await database.db.worker.update({
      where: { id: beatingWorkerId },
      data: { lastSeenAt: new Date() },
    });
    // Two heartbeats missed (a quarter of the 60 s lease each), not yet past the lease.
    await database.db.worker.create({
      data: { host: 'slow-box', pid: 13, lastSeenAt: new Date(Date.now() - 40_000) },
    });
    await page.goto(`${webUrl}/workers`);
    const states = await page
      .locator('[data-testid="worker-row"]')
      .evaluateAll((rows) => rows.map((one) => one.getAttribute('data-state')));
    expect(states.sort()).toEqual(['DEAD', 'ONLINE', 'STALE', 'STOPPED']);
    expect(await page.locator('[data-testid="exit-reason"]').textContent()).toBe(
      ' killed by SIGKILL',
    );
  });

  it("queues a run from a form generated from the job's schema, showing a refusal at its field", async () => {
    await page.goto(`${webUrl}/queue?kind=selftest`);
    const size = page.locator('input[name="config.size"]');
    expect(await size.getAttribute('placeholder')).toBe('default 256');
    await size.fill('0');
    await page.locator('[data-testid="queue-submit"]').click();
    const refusal = page.locator('[data-testid="field-error"][data-field="size"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/size/);

    await size.fill('24');
    await page.locator('input[name="tags"]').fill('from-the-form');
    await page.locator('[data-testid="queue-submit"]').click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const runId = new URL(page.url()).pathname.split('/').pop()!;
    const queued = await database.db.run.findUniqueOrThrow({
      where: { id: runId },
      include: { experiment: true },
    });
    expect([queued.experiment.kind, queued.experiment.tags]).toEqual([
      'selftest',
      ['from-the-form'],
    ]);
    expect(queued.experiment.config).toMatchObject({ size: 24, repeats: 10 });
  });

  it('fits every page into 1,400 and 1,024 px without scrolling sideways, keeping screenshots', async () => {
    const shots = path.join(repoRoot, '.lab', 'screenshots');
    mkdirSync(shots, { recursive: true });
    const pages: Record<string, string> = {
      runs: '/',
      leaderboard: '/leaderboard?kind=factorize&tag=nightly',
      compare: `/compare?runs=${runs.a!.id},${runs.b!.id}`,
      // Six runs made compare 3,114 px wide once: its tables scroll inside their panels.
      'compare-six': `/compare?runs=${[runs.a!.id, runs.b!.id, runs.c!.id, ...sweepRunIds].join(',')}`,
      run: `/runs/${runs.a!.id}`,
      sweep: `/sweeps/${sweepId}`,
      models: '/models',
      workers: '/workers',
      queue: '/queue?kind=inference-bench',
    };
    for (const width of [1400, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, href] of Object.entries(pages)) {
        await page.goto(`${webUrl}${href}`);
        // A string, evaluated in the page: this file is type-checked without the DOM's types.
        const [scrollWidth, clientWidth] = await page.evaluate<[number, number]>(
          '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
        );
        expect({ name, width, scrollWidth }).toEqual({ name, width, scrollWidth: clientWidth });
        await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
      }
    }
  });

  it('shows empty states and the API refusing a bad cursor', async () => {
    await page.goto(`${webUrl}/leaderboard?kind=nothing-like-this`);
    await page.locator('[data-testid="leaderboard-empty"]').waitFor();
    expect(await page.locator('[data-testid="leaderboard-row"]').count()).toBe(0);

    await page.goto(`${webUrl}/leaderboard?after=not-a-cursor`);
    const error = page.locator('[data-testid="api-error"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/refused/);

    await page.goto(`${webUrl}/compare`);
    await page.locator('[data-testid="compare-empty"]').waitFor();
  });
});
