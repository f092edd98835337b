import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, QUEUE_MUTATION } from '../support/api.ts';
import { closeBrowser, launchBrowser } from '../support/browser.ts';
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

  it('stops everything on Ctrl-C and keeps the runs across a restart', async () => {
    expect(await lab!.interrupt()).toBe(0);
    lab = spawnLab(['start', '--no-web'], env);
    await lab.waitFor(/press Ctrl-C to stop/);
    const { data } = await postGraphQL<{ run: RunView }>(apiUrl, RUN_QUERY, { id: runId });
    expect(data!.run.status).toBe('SUCCEEDED');
    expect(await lab.interrupt()).toBe(0);
    lab = undefined;
  }, 120_000);
});
