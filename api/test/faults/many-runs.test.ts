import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type LabWorker } from '../../src/worker/worker.ts';
import { queueSelftest } from '../../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../../test/support/test-database.ts';

const WORKERS = 4;
const RUNS = 200;

describe.each(databaseTargets())('four workers and 200 queued runs, $name PostgreSQL', (target) => {
  let database: TestDatabase;
  const workers: LabWorker[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(target);
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await database?.drop();
  });

  it('executes each run exactly once, every worker taking a share', async () => {
    // Queued before any worker starts, so all four compete for the same backlog.
    const queued: string[] = [];
    for (let index = 0; index < RUNS; index++)
      queued.push((await queueSelftest(database.db, { size: 8, repeats: 1, seed: index })).id);
    for (let index = 0; index < WORKERS; index++)
      workers.push(await startWorker(database.db, database.url));

    const deadline = Date.now() + 90_000;
    for (;;) {
      const open = await database.db.run.count({
        where: { id: { in: queued }, status: { in: ['QUEUED', 'RUNNING'] } },
      });
      if (open === 0) break;
      if (Date.now() > deadline) throw new Error(`${open} runs still open`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    const runs = await database.db.run.findMany({
      where: { id: { in: queued } },
      select: { status: true, attempt: true, workerId: true, error: true },
    });
    expect(runs).toHaveLength(RUNS);
    expect(runs.filter((run) => run.status !== 'SUCCEEDED')).toEqual([]);
    // attempt counts the times a worker claimed the run: 1 means it was executed once.
    expect(runs.filter((run) => run.attempt !== 1)).toEqual([]);
    const byWorker = new Map<string, number>();
    for (const run of runs) byWorker.set(run.workerId!, (byWorker.get(run.workerId!) ?? 0) + 1);
    expect(new Set(byWorker.keys())).toEqual(new Set(workers.map((worker) => worker.id)));
    // Each execution reports its timing once: one gflops point per run, no duplicates.
    const { rows: points } = await database.sql.query<{ runs: number; points: number }>(
      `SELECT count(DISTINCT run_id)::int AS runs, count(*)::int AS points
       FROM metric_point WHERE run_id = ANY($1) AND key = 'gflops'`,
      [queued],
    );
    expect(points[0]).toEqual({ runs: RUNS, points: RUNS });
    const { rows: jobs } = await database.sql.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM graphile_worker.jobs',
    );
    expect(jobs[0]!.count).toBe(0);
  }, 150_000);
});
