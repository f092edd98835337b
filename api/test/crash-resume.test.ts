import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
import { insertQueuedExperiment } from '../../api/src/graphql/experiments/experiments.service.ts';
import { waitForRunStatus } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';
import {
  CHECKPOINTING_COUNTER,
  checkpointingCounterJob,
  stepValue,
} from './jobs/checkpointing-counter.ts';

const LEASE_MS = 2000;
const STEPS = 400;

describe.each(databaseTargets())('a worker killed mid-run on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let survivor: LabWorker | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(target);
  });
  afterAll(async () => {
    await survivor?.stop();
    await database?.drop();
  });

  async function lastStep(runId: string): Promise<number | null> {
    const { rows } = await database.sql.query<{ last: number | null }>(
      `SELECT max(step) AS last FROM metric_point WHERE run_id = $1 AND key = 'value'`,
      [runId],
    );
    return rows[0]!.last;
  }

  it('is presumed dead after its lease, and another worker runs the run to the end', async () => {
    const doomed = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'api', 'test', 'jobs', 'checkpointing-worker.ts')],
      {
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          FACTORLAB_WORKER_LEASE_MS: String(LEASE_MS),
          TSX_TSCONFIG_PATH: path.join(repoRoot, 'api', 'tsconfig.json'),
        },
        stdio: 'ignore',
      },
    );
    // 400 steps of 25 ms and no checkpoint: still running when killed on any adapter, and
    // started over from step 0 by the survivor.
    const runId = await database.db.$transaction((tx) =>
      insertQueuedExperiment(tx, {
        kind: CHECKPOINTING_COUNTER,
        name: 'counter',
        config: { steps: STEPS, checkpointEvery: STEPS + 1, stepMs: 25, dir: tmpdir() },
        priority: 0,
        tags: [],
      }),
    );
    const deadline = Date.now() + 60_000;
    while (((await lastStep(runId)) ?? -1) < 2) {
      if (Date.now() > deadline) throw new Error('the doomed worker recorded no steps in 60 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const running = await database.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(running.status).toBe('RUNNING');
    const doomedWorkerId = running.workerId!;
    const exited = once(doomed, 'exit');
    doomed.kill('SIGKILL');
    await exited;
    const killedAt = new Date();
    expect(await lastStep(runId)).toBeLessThan(STEPS - 1);

    survivor = await startWorker(database.db, database.url, {
      leaseMs: LEASE_MS,
      extraJobs: { [CHECKPOINTING_COUNTER]: checkpointingCounterJob },
    });
    const finished = await waitForRunStatus(database.db, runId, undefined, 90_000);
    expect(finished).toMatchObject({ status: 'SUCCEEDED', attempt: 2, workerId: survivor.id });

    const dead = await database.db.worker.findUniqueOrThrow({ where: { id: doomedWorkerId } });
    expect(dead.stoppedAt).not.toBeNull();
    // Every step of the second attempt, each with its value; the dead attempt's points were
    // discarded (none is older than the kill), not kept beside or instead of the new ones.
    const { rows } = await database.sql.query<{ step: number; value: number; logged_at: Date }>(
      `SELECT step, value, logged_at FROM metric_point
       WHERE run_id = $1 AND key = 'value' ORDER BY step`,
      [runId],
    );
    expect(rows.map((row) => row.step)).toEqual(Array.from({ length: STEPS }, (_, step) => step));
    for (const { step, value, logged_at: loggedAt } of rows) {
      expect(value).toBe(stepValue(step));
      expect(loggedAt.getTime()).toBeGreaterThanOrEqual(killedAt.getTime());
    }
  }, 150_000);
});
