import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, QUEUE_MUTATION } from '../support/api.ts';
import { closeBrowser, launchBrowser } from '../support/browser.ts';
import { repoRoot } from '../../api/src/config.ts';
import { freePort } from '../support/ports.ts';
import { spawnLab, type LabProcess } from '../support/lab-process.ts';

interface RunView {
  id: string;
  status: string;
  error: string | null;
  metrics: { key: string; value: number }[];
}

const RUN_QUERY = `query($id: ID!) { run(id: $id) { id status error metrics { key value } } }`;

async function waitForRun(apiUrl: string, id: string, timeoutMs = 90_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await postGraphQL<{ run: RunView }>(apiUrl, RUN_QUERY, { id });
    const run = data!.run;
    if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${run.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The README's run command on an embedded database, driven as a user would drive it. */
describe('npm start: the whole lab on an embedded database', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let apiUrl: string;
  let webUrl: string;
  let lab: LabProcess | undefined;
  let runId: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'factorlab-e2e-'));
    const [dbPort, apiPort, webPort] = [await freePort(), await freePort(), await freePort()];
    env = {
      DATABASE_URL: '',
      FACTORLAB_DATA_DIR: dataDir,
      FACTORLAB_DB_PORT: String(dbPort),
      FACTORLAB_API_PORT: String(apiPort),
      FACTORLAB_WEB_PORT: String(webPort),
    };
    apiUrl = `http://127.0.0.1:${apiPort}`;
    webUrl = `http://127.0.0.1:${webPort}`;
  });
  afterAll(async () => {
    await lab?.interrupt();
    await closeBrowser();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('starts API, worker and dashboard, and prints their URLs', async () => {
    lab = spawnLab(['start'], env);
    await lab.waitFor(/press Ctrl-C to stop/, 240_000);
    expect(lab.output()).toContain(`${apiUrl}/graphql`);
    expect(lab.output()).toContain(webUrl);
    await lab.waitFor(/worker \w+ on .+: waiting for runs/);
  }, 300_000);

  it('runs a self-test queued through GraphQL to SUCCEEDED with its GFLOP/s, followed live by lab watch', async () => {
    const queued = await postGraphQL<{ queueExperiment: { run: { id: string } } }>(
      apiUrl,
      QUEUE_MUTATION,
      { input: { kind: 'selftest', config: { size: 64, repeats: 3 } } },
    );
    expect(queued.errors).toBeUndefined();
    runId = queued.data!.queueExperiment.run.id;
    const watch = spawnLab(['watch', runId], { FACTORLAB_API_URL: apiUrl });
    const [watchExit] = (await once(watch.child, 'exit')) as [number | null];
    expect(watch.output()).toMatch(/SUCCEEDED .*100%.*gflops=/);
    expect(watchExit).toBe(0);
    const run = await waitForRun(apiUrl, runId);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    expect(run.metrics.find((m) => m.key === 'gflops')?.value).toBeGreaterThan(0);
  });

  it('queues a self-test with lab queue --wait and prints its figures at four significant digits', async () => {
    const queue = spawnLab(
      ['queue', 'selftest', '--set', 'size=64', '--set', 'repeats=3', '--wait'],
      {
        ...env,
        FACTORLAB_API_URL: apiUrl,
      },
    );
    const [queueExit] = (await once(queue.child, 'exit')) as [number | null];
    const printed = queue.output();
    expect(printed).toMatch(/^queued run [0-9a-f-]{36}\nrun [0-9a-f-]{36} SUCCEEDED\n/);
    expect(queueExit).toBe(0);
    const values = [...printed.matchAll(/^ {2}\S+ = (\S+)$/gm)].map((match) => match[1]!);
    expect(values.length).toBeGreaterThan(0);
    // No float noise: at most four significant digits, as `lab runs` shows them.
    const significant = (value: string) =>
      value
        .replace(/^-|e.*$/g, '')
        .replace('.', '')
        .replace(/^0+|0+$/g, '').length;
    for (const value of values)
      expect({ value, digits: significant(value) <= 4 }).toEqual({ value, digits: true });
  });

  it('shows the run as SUCCEEDED with its GFLOP/s on the dashboard', async () => {
    const browser = await launchBrowser();
    const page = await browser.newPage();
    try {
      await page.goto(webUrl);
      const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
      await row.waitFor({ timeout: 15_000 });
      const status = row.locator('[data-testid="run-status"]');
      expect(await status.getAttribute('data-status')).toBe('SUCCEEDED');
      expect((await status.textContent())?.toUpperCase()).toContain('SUCCEEDED');
      const gflops = await row.locator('[data-testid="run-gflops"]').textContent();
      expect(Number(gflops)).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it('fills a run page, the leaderboard and its scatter from `lab demo`, as the README says', async () => {
    const demo = spawnLab(['demo'], env);
    const [demoExit] = (await once(demo.child, 'exit')) as [number | null];
    expect(demo.output()).toContain(`watch it at ${webUrl}/runs`);
    expect(demoExit).toBe(0);
    const { data } = await postGraphQL<{
      runs: { edges: { node: { id: string; status: string } }[] };
    }>(
      apiUrl,
      `query { runs(filter: { kind: ["pipeline"], tags: ["demo"] }, first: 10) {
        edges { node { id status } } } }`,
    );
    const queued = data!.runs.edges.map(({ node }) => node.id);
    expect(queued).toHaveLength(4);
    // One worker takes them in turn; the first to finish is enough to fill every view.
    const deadline = Date.now() + 420_000;
    let finished: RunView | undefined;
    while (!finished) {
      for (const id of queued) {
        const { data: one } = await postGraphQL<{ run: RunView }>(apiUrl, RUN_QUERY, { id });
        if (one!.run.status === 'FAILED') throw new Error(`demo run failed: ${one!.run.error}`);
        if (one!.run.status === 'SUCCEEDED') finished = one!.run;
      }
      if (Date.now() > deadline) throw new Error('no demo run finished in 7 minutes');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    const metric = (key: string) => finished.metrics.find((point) => point.key === key)?.value;
    expect(metric('retention')).toBeGreaterThan(0);
    expect(metric('speedup')).toBeGreaterThan(0);

    const shots = path.join(repoRoot, '.lab', 'screenshots');
    await fs.mkdir(shots, { recursive: true });
    const browser = await launchBrowser();
    const page = await browser.newPage();
    try {
      await page.goto(`${webUrl}/runs/${finished.id}`);
      await page.screenshot({ path: path.join(shots, 'demo-run.png'), fullPage: true });
      const curve = page.locator('[data-testid="chart-line"][data-key="train_loss"]');
      await curve
        .first()
        .waitFor({ state: 'attached', timeout: 15_000 })
        .catch(async (error: Error) => {
          const lines = await page.locator('[data-testid="chart-line"]').all();
          const charted = await Promise.all(lines.map((line) => line.getAttribute('data-key')));
          throw new Error(`${error.message}; charted: ${charted.join(', ')}`);
        });
      expect((await curve.first().getAttribute('data-steps'))!.split(',').length).toBeGreaterThan(
        1,
      );
      await page.goto(`${webUrl}/leaderboard?kind=pipeline`);
      await page.screenshot({ path: path.join(shots, 'demo-leaderboard.png'), fullPage: true });
      await page
        .locator(`[data-testid="leaderboard-row"][data-run-id="${finished.id}"]`)
        .waitFor({ timeout: 15_000 });
      await page
        .locator(`[data-testid="scatter-point"][data-run-id="${finished.id}"]`)
        .waitFor({ state: 'attached', timeout: 15_000 });
    } finally {
      await page.close();
    }
  }, 600_000);

  it('stops everything on Ctrl-C, a run in flight included, and keeps the runs across a restart', async () => {
    const code = await lab!.interrupt();
    expect(code, lab!.output().slice(-3000)).toBe(0);
    lab = spawnLab(['start', '--no-web'], env);
    await lab.waitFor(/press Ctrl-C to stop/);
    const { data } = await postGraphQL<{ run: RunView }>(apiUrl, RUN_QUERY, { id: runId });
    expect(data!.run.status).toBe('SUCCEEDED');
    expect(await lab.interrupt()).toBe(0);
    lab = undefined;
  }, 120_000);
});
