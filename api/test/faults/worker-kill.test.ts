import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.ts';
import { EMBEDDED_DATABASE_NAME } from '../../src/db/embedded.ts';
import { postGraphQL, QUEUE_MUTATION } from '../../../test/support/api.ts';
import { spawnLab, type LabProcess } from '../../../test/support/lab-process.ts';
import { freePort } from '../../../test/support/ports.ts';
import { prepareBrownData } from '../../../gpu/src/train/data/prepare.ts';

/** The tokenizer and token caches the other training tests use, so they are built once. */
const DATA_DIRECTORY = path.join(repoRoot, '.lab', 'data');
const STEPS = 12;
const CHECKPOINT_EVERY = 3;

interface RunView {
  status: string;
  attempt: number;
  error: string | null;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The `lab worker` process `lab start` runs as its child. */
function workerPid(labPid: number): number | undefined {
  const lines = execFileSync('ps', ['--ppid', String(labPid), '-o', 'pid=,args='], {
    encoding: 'utf8',
  }).split('\n');
  const worker = lines.find((line) => / worker$/.test(line.trim()));
  return worker ? Number(worker.trim().split(/\s+/)[0]) : undefined;
}

describe('a worker killed with kill -9 mid-run under lab start', () => {
  let dataDir: string;
  let apiUrl: string;
  let lab: LabProcess;
  let database: pg.Client;

  beforeAll(async () => {
    // The corpus tokenised before the clock starts: the waits below time the run, not this.
    await prepareBrownData({ dir: DATA_DIRECTORY, vocabSize: 512 });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'factorlab-worker-kill-'));
    const [dbPort, apiPort] = [await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    lab = spawnLab(['start', '--no-web'], {
      DATABASE_URL: '',
      FACTORLAB_DATA_DIR: dataDir,
      FACTORLAB_DB_PORT: String(dbPort),
      FACTORLAB_API_PORT: String(apiPort),
      FACTORLAB_PATH_ROOTS: DATA_DIRECTORY,
    });
    await lab.waitFor(/worker \w+ on .+: waiting for runs/, 60_000);
    // The embedded cluster's fixed local credentials (api/src/db/embedded.ts), which it prints masked.
    database = new pg.Client({
      connectionString: `postgresql://factorlab:factorlab@127.0.0.1:${dbPort}/${EMBEDDED_DATABASE_NAME}`,
    });
    await database.connect();
  }, 240_000);
  afterAll(async () => {
    await database?.end();
    await lab?.interrupt();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('is restarted, its death recorded, and the run resumes from its checkpoint to the end', async () => {
    const output = path.join(dataDir, 'pretrain');
    const config = {
      output,
      seed: 5,
      data: { vocabSize: 512, directory: DATA_DIRECTORY },
      model: { hiddenSize: 32, intermediateSize: 88, layers: 1, heads: 2 },
      training: { steps: STEPS, batchSize: 2, sequenceLength: 16, learningRate: 3e-3 },
      evaluation: { every: STEPS, batches: 1, test: false },
      checkpoint: { every: CHECKPOINT_EVERY, keep: 2 },
    };
    const queued = await postGraphQL<{ queueExperiment: { run: { id: string } } }>(
      apiUrl,
      QUEUE_MUTATION,
      { input: { kind: 'pretrain', config } },
    );
    expect(queued.errors).toBeUndefined();
    const runId = queued.data!.queueExperiment.run.id;

    // Killed once the first checkpoint is recorded, before the run can finish.
    await until(
      'the first checkpoint',
      async () => {
        const { rows } = await database.query(
          `SELECT 1 FROM artifact WHERE run_id = $1 AND kind = 'CHECKPOINT'`,
          [runId],
        );
        return rows.length > 0 ? true : undefined;
      },
      60_000,
    );
    const victim = workerPid(lab.child.pid!)!;
    expect(victim).toBeGreaterThan(0);
    const killedAt = new Date();
    process.kill(victim, 'SIGKILL');

    await lab.waitFor(
      new RegExp(
        `the worker \\(pid ${victim}\\) died \\(killed by SIGKILL\\); run ${runId} queued again, ` +
          'to resume from its latest checkpoint; restarting it in 1 s',
      ),
      20_000,
    );
    const run = await until(
      'the run to end',
      async () => {
        const { data } = await postGraphQL<{ run: RunView }>(
          apiUrl,
          `query($id: ID!) { run(id: $id) { status attempt error } }`,
          { id: runId },
        );
        const view = data!.run;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(view.status) ? view : undefined;
      },
      60_000,
    );
    expect(run).toEqual({ status: 'SUCCEEDED', attempt: 2, error: null });
    expect(workerPid(lab.child.pid!)).not.toBe(victim);

    // The dead worker's row says how it died; a new one took over.
    const { rows: workers } = await database.query<{ pid: number; exit_reason: string | null }>(
      'SELECT pid, exit_reason FROM worker ORDER BY started_at',
    );
    expect(workers.map((worker) => worker.exit_reason)).toEqual(['killed by SIGKILL', null]);
    expect(workers[0]!.pid).toBe(victim);
    // The workers view shows the death: the dead worker stopped with its reason, the new one online.
    const view = await postGraphQL<{
      workerStatuses: { pid: number; state: string; exitReason: string | null }[];
    }>(apiUrl, '{ workerStatuses { pid state exitReason } }');
    expect(view.errors).toBeUndefined();
    expect(view.data!.workerStatuses).toEqual(
      expect.arrayContaining([
        { pid: victim, state: 'STOPPED', exitReason: 'killed by SIGKILL' },
        { pid: workers[1]!.pid, state: 'ONLINE', exitReason: null },
      ]),
    );

    // Every step's loss written once; those up to the checkpoint before the kill were kept, not
    // recomputed, so the second attempt began at the checkpoint rather than from scratch.
    const { rows: points } = await database.query<{ step: number; logged_at: Date }>(
      `SELECT step, logged_at FROM metric_point WHERE run_id = $1 AND key = 'train_loss' ORDER BY step`,
      [runId],
    );
    expect(points.map((point) => point.step)).toEqual(
      Array.from({ length: STEPS }, (_, index) => index + 1),
    );
    const keptBeforeKill = points.filter((point) => point.logged_at < killedAt);
    expect(keptBeforeKill.length).toBeGreaterThanOrEqual(CHECKPOINT_EVERY);
    expect(await fs.readdir(path.join(output, 'model'))).toContain('model.safetensors');
  }, 150_000);
});
