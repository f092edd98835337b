import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { recordArtifact } from '../../api/src/worker/artifact-record.ts';
import { RunLog, type LogLevel } from '../../api/src/worker/run-log.ts';
import type { TestDatabase } from '../support/test-database.ts';
import { useDashboard } from './dashboard-fixture.ts';

/** What the issue asks of live pages: something new shows within 2 s. */
const LIVE_WITHIN_MS = 2000;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The run page's Logs panel and artifact downloads in Chromium, against the real API with auth on
 * (the browser holds no key: the dashboard's server relays the subscription and the downloads).
 */
describe("a run page's Logs panel and artifacts", () => {
  let database: TestDatabase;
  let webUrl: string;
  let page: Page;
  useDashboard({ auth: 'on' }, (fresh) => ({ database, webUrl, page } = fresh));

  async function write(runId: string, lines: [LogLevel, string][]) {
    const log = await RunLog.open(database.db, runId);
    for (const [level, message] of lines) log.add(level, message);
    await log.flush();
  }

  it('shows the stored lines and streams new ones within 2 s, without a reload', async () => {
    const experiment = await database.db.experiment.create({
      data: {
        name: 'logging run',
        kind: 'selftest',
        config: { size: 8 },
        configHash: 'logs-panel',
        runs: { create: { status: 'RUNNING', startedAt: new Date() } },
      },
      include: { runs: true },
    });
    const runId = experiment.runs[0]!.id;
    await write(runId, [
      ['INFO', 'attempt 1 of selftest started'],
      ['INFO', 'compiling matmul (5%)'],
    ]);
    await page.goto(`${webUrl}/runs/${runId}`);
    const shown = page.locator('[data-testid="run-log-line"]');
    expect(await shown.allTextContents()).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} INFO attempt 1 of selftest started$/),
      expect.stringMatching(/INFO compiling matmul \(5%\)$/),
    ]);
    await page
      .locator('[data-testid="run-logs-status"][data-state="live"]')
      .waitFor({ timeout: 30_000 });
    await page.evaluate(() => Object.assign(globalThis, { logsTestMark: true }));

    const started = Date.now();
    await write(runId, [['WARN', 'warning: loss spiked at step 40']]);
    await page.locator('[data-testid="run-log-line"][data-seq="3"]').waitFor({ timeout: 10_000 });
    const appearedMs = Date.now() - started;
    console.log(`logs: a new line appeared on the run page after ${appearedMs} ms`);
    expect(appearedMs).toBeLessThan(LIVE_WITHIN_MS);
    expect(
      await page.locator('[data-testid="run-log-line"][data-seq="3"]').getAttribute('data-level'),
    ).toBe('WARN');
    expect(await page.evaluate(() => 'logsTestMark' in globalThis)).toBe(true);
    expect(await shown.count()).toBe(3);

    const shots = path.join(repoRoot, '.lab', 'screenshots');
    await mkdir(shots, { recursive: true });
    await page.locator('[data-testid="run-logs"]').screenshot({
      path: path.join(shots, 'run-logs-panel.png'),
    });

    // A finished run shows its lines and streams no more.
    await write(runId, [['ERROR', 'device lost']]);
    await database.db.run.update({
      where: { id: runId },
      data: { status: 'FAILED', error: 'device lost', finishedAt: new Date() },
    });
    await page.locator('[data-testid="run-log-line"][data-seq="4"]').waitFor({ timeout: 10_000 });
    await page.reload();
    expect(await shown.count()).toBe(4);
    expect(await page.locator('[data-testid="run-logs-status"]').count()).toBe(0);
  });

  it('says so when the run has no log yet', async () => {
    const experiment = await database.db.experiment.create({
      data: {
        name: 'quiet run',
        kind: 'selftest',
        config: { size: 9 },
        configHash: 'logs-panel-empty',
        runs: { create: {} },
      },
      include: { runs: true },
    });
    await page.goto(`${webUrl}/runs/${experiment.runs[0]!.id}`);
    expect(await page.locator('[data-testid="run-logs"]').textContent()).toBe('No log lines yet.');
  });

  it('downloads an artifact through the dashboard: a file as it is, a checkpoint folder as a tar', async () => {
    const experiment = await database.db.experiment.create({
      data: {
        name: 'run with artifacts',
        kind: 'selftest',
        config: { size: 10 },
        configHash: 'artifact-downloads',
        runs: { create: { status: 'SUCCEEDED', finishedAt: new Date() } },
      },
      include: { runs: true },
    });
    const runId = experiment.runs[0]!.id;
    // Under the test API's path root (the system's temporary folder), as a worker writes them.
    const scratch = await mkdtemp(path.join(tmpdir(), 'factorlab-e2e-artifacts-'));
    try {
      const report = randomBytes(200_000);
      await writeFile(path.join(scratch, 'report.json'), report);
      await recordArtifact(database.db, runId, {
        kind: 'REPORT',
        path: path.join(scratch, 'report.json'),
      });
      const checkpoint = path.join(scratch, 'step-00000004');
      await mkdir(checkpoint);
      await writeFile(path.join(checkpoint, 'config.json'), '{"hidden_size": 8}\n');
      await writeFile(path.join(checkpoint, 'model.safetensors'), randomBytes(5000));
      await recordArtifact(database.db, runId, { kind: 'CHECKPOINT', path: checkpoint, step: 4 });
      const [reportRow, checkpointRow] = await database.db.artifact.findMany({
        where: { runId },
        orderBy: { createdAt: 'asc' },
      });

      await page.goto(`${webUrl}/runs/${runId}`);
      const links = page.locator('[data-testid="run-artifacts"] [data-testid="artifact-download"]');
      expect(await links.count()).toBe(2);

      const [fileDownload] = await Promise.all([
        page.waitForEvent('download'),
        links.nth(0).click(),
      ]);
      expect(fileDownload.suggestedFilename()).toBe('report.json');
      const downloaded = await readFile((await fileDownload.path())!);
      expect(downloaded.equals(report)).toBe(true);
      expect(sha256(downloaded)).toBe(reportRow!.sha256);

      const [folderDownload] = await Promise.all([
        page.waitForEvent('download'),
        links.nth(1).click(),
      ]);
      expect(folderDownload.suggestedFilename()).toBe('step-00000004.tar');
      const extracted = execFileSync('tar', ['-xOf', (await folderDownload.path())!]);
      expect(sha256(extracted)).toBe(checkpointRow!.sha256);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
