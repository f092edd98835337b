import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../api/src/db/client.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { queueSelftest } from '../support/runs.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { useDashboard } from './dashboard-fixture.ts';

/** What the issue asks of live pages: a new run or a new point shows within 2 s. */
const LIVE_WITHIN_MS = 2000;

/** A running run with a loss curve of `steps` points, as a worker leaves it mid-training. */
async function seedRunningRun(db: Db, steps: number): Promise<string> {
  const experiment = await db.experiment.create({
    data: {
      name: 'live curve',
      kind: 'pretrain',
      config: { live: true },
      configHash: `live-${Date.now()}`,
      runs: { create: { status: 'RUNNING', startedAt: new Date() } },
    },
    include: { runs: true },
  });
  const id = experiment.runs[0]!.id;
  await writeMetricPoints(
    db,
    id,
    Array.from({ length: steps }, (_, step) => ({ key: 'loss', step, value: 4 - step / 10 })),
  );
  return id;
}

const liveState = (page: Page, state: 'live' | 'paused') =>
  page.locator(`[data-testid="live-status"][data-state="${state}"]`).waitFor({ timeout: 30_000 });

/** Idle this long, a page that polled every 2 s (LiveRefresh) would have refreshed twice. */
const IDLE_MS = 5000;

/**
 * The requests for the page itself (what router.refresh() fetches: its server components at its
 * own address) while nothing changes for IDLE_MS. A live page makes none; one polling makes one
 * per interval. (Prefetches of its links, as to another query string, are not the page.)
 */
async function pageRequestsWhileIdle(page: Page): Promise<string[]> {
  const withoutRsc = (href: string) => {
    const url = new URL(href);
    url.searchParams.delete('_rsc');
    return url.toString();
  };
  const own = withoutRsc(page.url());
  const seen: string[] = [];
  const listener = (request: Request) => {
    if (withoutRsc(request.url()) === own) seen.push(request.url());
  };
  page.on('request', listener);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  page.off('request', listener);
  return seen;
}

/** Marks the page's document: a reload would make a new one without the mark. */
const markDocument = (page: Page) =>
  page.evaluate(() => Object.assign(globalThis, { liveTestMark: true }));
const sameDocument = (page: Page) => page.evaluate(() => 'liveTestMark' in globalThis);

/** How long after `started` the element `selector` showed on the page. */
async function shownAfterMs(page: Page, selector: string, started: number): Promise<number> {
  await page.locator(selector).first().waitFor({ timeout: 10_000 });
  return Date.now() - started;
}

/**
 * Live pages through the API's subscriptions (runsChanged, runUpdated, metricsAppended), relayed
 * by the dashboard's server with its key: the API has auth on and the browser holds no key.
 */
describe('live dashboard pages in Chromium, through the subscriptions', () => {
  let database: TestDatabase;
  let webUrl: string;
  let page: Page;
  useDashboard({ auth: 'on' }, (fresh) => ({ database, webUrl, page } = fresh));

  it('shows a newly queued run on the runs page within 2 s, without a reload', async () => {
    await queueSelftest(database.db, { size: 8 });
    await page.goto(`${webUrl}/`);
    await liveState(page, 'live');
    // A mark on this document: a reload would make a new one without it.
    await page.evaluate(() => Object.assign(globalThis, { liveTestMark: true }));

    const started = Date.now();
    const queued = await queueSelftest(database.db, { size: 9 });
    await page
      .locator(`[data-testid="run-row"][data-run-id="${queued.id}"]`)
      .waitFor({ timeout: 10_000 });
    const appearedMs = Date.now() - started;
    console.log(`live: a newly queued run appeared on the runs page after ${appearedMs} ms`);
    expect(appearedMs).toBeLessThan(LIVE_WITHIN_MS);
    // The same document: the page was re-rendered in place, not reloaded.
    expect(await page.evaluate(() => 'liveTestMark' in globalThis)).toBe(true);
  });

  it("grows a running run's curve by the points a worker writes, and follows its status", async () => {
    const runId = await seedRunningRun(database.db, 10);
    await page.goto(`${webUrl}/runs/${runId}`);
    const chart = page.locator('[data-testid="metric-chart"][data-metric="loss"]');
    await chart.locator('figcaption', { hasText: '10 points' }).waitFor();
    await liveState(page, 'live');

    const started = Date.now();
    await writeMetricPoints(database.db, runId, [{ key: 'loss', step: 10, value: 2.9 }]);
    await chart.locator('figcaption', { hasText: '11 points' }).waitFor({ timeout: 10_000 });
    const grewMs = Date.now() - started;
    console.log(`live: a curve gained a point ${grewMs} ms after the worker wrote it`);
    expect(grewMs).toBeLessThan(LIVE_WITHIN_MS);
    const steps = await chart
      .locator('[data-testid="chart-line"][data-key="loss"]')
      .getAttribute('data-steps');
    expect(steps?.split(',').map(Number)).toEqual(Array.from({ length: 11 }, (_, step) => step));

    // A status change arrives through runUpdated; a finished run stops following.
    await database.sql.query(
      `UPDATE run SET status = 'SUCCEEDED', progress = 1, finished_at = now() WHERE id = $1`,
      [runId],
    );
    await page.locator('[data-testid="run-status"][data-status="SUCCEEDED"]').waitFor({
      timeout: 10_000,
    });
    expect(await page.locator('[data-testid="live-status"]').count()).toBe(0);
  });

  it('says live updates are paused and refreshes itself while the feed cannot connect, then reconnects', async () => {
    // The browser's connection to the live feed fails, as behind a proxy that drops the stream.
    await page.route('**/live**', (route) => route.abort('connectionrefused'));
    await page.goto(`${webUrl}/`);
    await liveState(page, 'paused');
    expect(await page.locator('[data-testid="live-status"]').textContent()).toContain(
      'live updates paused',
    );
    const queued = await queueSelftest(database.db, { size: 10 });
    // The fallback refreshes every 2 s.
    await page
      .locator(`[data-testid="run-row"][data-run-id="${queued.id}"]`)
      .waitFor({ timeout: 10_000 });
    // Polling, as the paused page does, is what the live pages' idle checks below would see.
    expect((await pageRequestsWhileIdle(page)).length).toBeGreaterThanOrEqual(2);

    await page.unroute('**/live**');
    await liveState(page, 'live');
    const started = Date.now();
    const next = await queueSelftest(database.db, { size: 11 });
    await page
      .locator(`[data-testid="run-row"][data-run-id="${next.id}"]`)
      .waitFor({ timeout: 10_000 });
    expect(Date.now() - started).toBeLessThan(LIVE_WITHIN_MS);
  });
  it("follows the compared runs' metrics and status on the compare page, without polling", async () => {
    const running = await seedRunningRun(database.db, 10);
    const finished = await seedRunningRun(database.db, 5);
    await database.sql.query(
      `UPDATE run SET status = 'SUCCEEDED', progress = 1, finished_at = now() WHERE id = $1`,
      [finished],
    );
    await page.goto(`${webUrl}/compare?runs=${running},${finished}`);
    await liveState(page, 'live');
    expect(await pageRequestsWhileIdle(page)).toEqual([]);
    await markDocument(page);

    const reported = Date.now();
    await writeMetricPoints(database.db, running, [{ key: 'retention', step: 10, value: 0.77 }]);
    const metricMs = await shownAfterMs(
      page,
      '[data-testid="metric-row"][data-key="retention"]',
      reported,
    );
    const retention = page.locator('[data-testid="metric-row"][data-key="retention"] td');
    expect(await retention.allTextContents()).toEqual(['0.77', '—']);

    const failed = Date.now();
    await database.sql.query(
      `UPDATE run SET status = 'FAILED', finished_at = now() WHERE id = $1`,
      [running],
    );
    const statusMs = await shownAfterMs(
      page,
      '[data-testid="compared-runs"] [data-status="FAILED"]',
      failed,
    );
    console.log(
      `live: compare showed a metric after ${metricMs} ms, a status after ${statusMs} ms`,
    );
    expect(metricMs).toBeLessThan(LIVE_WITHIN_MS);
    expect(statusMs).toBeLessThan(LIVE_WITHIN_MS);
    expect(await sameDocument(page)).toBe(true);
    // Every compared run finished: nothing more to follow.
    expect(await page.locator('[data-testid="live-status"]').count()).toBe(0);
  });

  it("follows a sweep's runs' metrics and status on the sweep page, without polling", async () => {
    const db = database.db;
    const sweep = await db.sweep.create({
      data: { name: 'live sweep', kind: 'inference-bench', strategy: 'GRID', spec: {} },
    });
    // One point run three times: one run measured, one finished whose figures come after it
    // (the sweep's table counts succeeded runs only), one still running.
    const experiment = await db.experiment.create({
      data: {
        name: 'live sweep point',
        kind: 'inference-bench',
        config: { experts: 4, topK: 1 },
        configHash: 'live-sweep-point',
        sweepId: sweep.id,
        runs: {
          create: [
            { status: 'SUCCEEDED', finishedAt: new Date() },
            { status: 'SUCCEEDED', finishedAt: new Date() },
            { status: 'RUNNING', startedAt: new Date() },
          ],
        },
      },
      include: { runs: true },
    });
    const ids = (status: string) =>
      experiment.runs.filter((run) => run.status === status).map((run) => run.id);
    const [measured, late] = ids('SUCCEEDED') as [string, string];
    const [running] = ids('RUNNING') as [string];
    await writeMetricPoints(db, measured, [{ key: 'decode_tok_s', step: 0, value: 100 }]);
    await page.goto(`${webUrl}/sweeps/${sweep.id}`);
    const decode = page.locator('[data-testid="sweep-point"] td[data-column="decode_tok_s"]');
    expect(await decode.textContent()).toMatch(/^100\b/);
    await liveState(page, 'live');
    expect(await pageRequestsWhileIdle(page)).toEqual([]);
    await markDocument(page);

    const reported = Date.now();
    await writeMetricPoints(db, late, [{ key: 'decode_tok_s', step: 0, value: 120 }]);
    await decode.filter({ hasText: /^110 ±10/ }).waitFor({ timeout: 10_000 });
    const metricMs = Date.now() - reported;

    const succeeded = Date.now();
    await database.sql.query(
      `UPDATE run SET status = 'SUCCEEDED', progress = 1, finished_at = now() WHERE id = $1`,
      [running],
    );
    const statusMs = await shownAfterMs(
      page,
      `.sweep-run[data-status="SUCCEEDED"][href="/runs/${running}"]`,
      succeeded,
    );
    console.log(
      `live: a sweep showed a metric after ${metricMs} ms, a status after ${statusMs} ms`,
    );
    expect(metricMs).toBeLessThan(LIVE_WITHIN_MS);
    expect(statusMs).toBeLessThan(LIVE_WITHIN_MS);
    expect(await sameDocument(page)).toBe(true);
  });

  it("follows workers' heartbeats, runs and arrivals on the workers page, without polling", async () => {
    const db = database.db;
    const busy = await db.worker.create({ data: { host: 'live-box', pid: 21 } });
    const silent = await db.worker.create({
      data: { host: 'quiet-box', pid: 22, lastSeenAt: new Date(Date.now() - 600_000) },
    });
    await page.goto(`${webUrl}/workers`);
    const row = (id: string) => `[data-testid="worker-row"][data-worker-id="${id}"]`;
    await page.locator(`${row(silent.id)}[data-state="DEAD"]`).waitFor();
    await liveState(page, 'live');
    expect(await pageRequestsWhileIdle(page)).toEqual([]);
    await markDocument(page);

    // The silent worker beats again: it is online.
    const beat = Date.now();
    await db.worker.update({ where: { id: silent.id }, data: { lastSeenAt: new Date() } });
    const heartbeatMs = await shownAfterMs(page, `${row(silent.id)}[data-state="ONLINE"]`, beat);

    // The other takes a run: it shows as its current run.
    const run = await queueSelftest(db, { size: 12 });
    const taken = Date.now();
    await database.sql.query(
      `UPDATE run SET status = 'RUNNING', worker_id = $2, started_at = now() WHERE id = $1`,
      [run.id, busy.id],
    );
    const runMs = await shownAfterMs(page, `${row(busy.id)} a[href="/runs/${run.id}"]`, taken);

    // A new worker registers.
    const started = Date.now();
    const joined = await db.worker.create({ data: { host: 'new-box', pid: 23 } });
    const joinedMs = await shownAfterMs(page, `${row(joined.id)}[data-state="ONLINE"]`, started);
    console.log(
      `live: workers showed a heartbeat after ${heartbeatMs} ms, a run taken after ${runMs} ms, ` +
        `a new worker after ${joinedMs} ms`,
    );
    expect(Math.max(heartbeatMs, runMs, joinedMs)).toBeLessThan(LIVE_WITHIN_MS);
    expect(await sameDocument(page)).toBe(true);
  });
});
