import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
import { queueSelftest, waitForRunStatus } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const LEASE_MS = 2000;

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

  it('is presumed dead after its lease, and another worker runs the run to the end', async () => {
    const doomed = spawn(
      process.execPath,
      [path.join(repoRoot, 'api', 'bin', 'lab.js'), 'worker'],
      {
        env: {
          ...process.env,
          DATABASE_URL: database.url,
          FACTORLAB_WORKER_LEASE_MS: String(LEASE_MS),
        },
        stdio: 'ignore',
      },
    );
    const run = await queueSelftest(database.db, { size: 256, repeats: 100 });
    const running = await waitForRunStatus(database.db, run.id, new Set(['RUNNING']));
    const doomedWorkerId = running.workerId!;
    const exited = once(doomed, 'exit');
    doomed.kill('SIGKILL');
    await exited;

    survivor = await startWorker(database.db, database.url, { leaseMs: LEASE_MS });
    const finished = await waitForRunStatus(database.db, run.id);
    expect(finished).toMatchObject({ status: 'SUCCEEDED', attempt: 2, workerId: survivor.id });

    const dead = await database.db.worker.findUniqueOrThrow({ where: { id: doomedWorkerId } });
    expect(dead.stoppedAt).not.toBeNull();
    const { rows } = await database.sql.query<{ points: number; keys: number }>(
      `SELECT count(*)::int AS points, count(DISTINCT (key, step))::int AS keys
       FROM metric_point WHERE run_id = $1`,
      [run.id],
    );
    expect(rows[0]!.points).toBe(rows[0]!.keys);
    expect(rows[0]!.points).toBeGreaterThan(0);
  }, 120_000);
});
