import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/src/auth/api-keys.ts';
import { ensureWebBuilt } from '../../api/src/cli/web-process.ts';
import { repoRoot } from '../../api/src/config.ts';
import type { Db } from '../../api/src/db/client.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../support/api.ts';
import { closeBrowser, launchBrowser } from '../support/browser.ts';
import { freePort } from '../support/ports.ts';
import { queueSelftest } from '../support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../support/test-database.ts';

/** What the issue asks of live pages: a new run or a new point shows within 2 s. */
const LIVE_WITHIN_MS = 2000;

/** `next start` over the production build, with the dashboard's viewer key in its environment. */
function spawnDashboard(port: number, apiUrl: string, apiKey: string): ChildProcess {
  const nextCli = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  return spawn(process.execPath, [nextCli, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: path.join(repoRoot, 'web'),
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      FACTORLAB_API_URL: apiUrl,
      FACTORLAB_API_KEY: apiKey,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

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

/**
 * Live pages through the API's subscriptions (runsChanged, runUpdated, metricsAppended), relayed
 * by the dashboard's server with its key: the API has auth on and the browser holds no key.
 */
describe('live dashboard pages in Chromium, through the subscriptions', () => {
  let database: TestDatabase;
  let api: TestApi;
  let web: ChildProcess | undefined;
  let webUrl: string;
  let page: Page;

  beforeAll(async () => {
    const target = databaseTargets().find((candidate) => candidate.name === 'embedded')!;
    database = await createTestDatabase(target);
    api = await startTestApi(database, 'on');
    const viewerKey = (await createApiKey(database.db, { name: 'dashboard', role: 'VIEWER' }))
      .token;
    ensureWebBuilt();
    const webPort = await freePort();
    webUrl = `http://127.0.0.1:${webPort}`;
    web = spawnDashboard(webPort, api.url, viewerKey);
    await waitForHttp(`${webUrl}/workers`);
    page = await (await launchBrowser()).newPage();
  }, 300_000);

  afterAll(async () => {
    await page?.close();
    await closeBrowser();
    if (web && web.exitCode === null) {
      const exited = once(web, 'exit');
      web.kill('SIGTERM');
      await exited;
    }
    await api?.stop();
    await database?.drop();
  });

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

    await page.unroute('**/live**');
    await liveState(page, 'live');
    const started = Date.now();
    const next = await queueSelftest(database.db, { size: 11 });
    await page
      .locator(`[data-testid="run-row"][data-run-id="${next.id}"]`)
      .waitFor({ timeout: 10_000 });
    expect(Date.now() - started).toBeLessThan(LIVE_WITHIN_MS);
  });
});
