import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_VARIANTS, writeFixtureCheckpoint } from '../../gpu/test/reference/fixtures.ts';
import { PathRoots } from '../../api/src/files/path-roots.ts';
import { insertQueuedExperiment } from '../../api/src/graphql/experiments/experiments.service.ts';
import { enqueueRun } from '../../api/src/queue/enqueue.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';
import {
  queueJob,
  queueSelftest,
  waitForRunStatus as waitUntilFinished,
} from '../../test/support/runs.ts';
import { CHECKPOINTING_COUNTER, checkpointingCounterJob } from './jobs/checkpointing-counter.ts';

const COUNTER = { [CHECKPOINTING_COUNTER]: checkpointingCounterJob };

describe.each(databaseTargets())('worker on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  const workers: LabWorker[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(target);
    workers.push(
      await startWorker(database.db, database.url, {
        extraJobs: COUNTER,
        // The benchmarked checkpoint is written to the temporary folder.
        paths: new PathRoots([tmpdir()]),
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await database?.drop();
  });

  it('leases a self-test run, computes it on the GPU and records device and metrics', async () => {
    const queued = await queueSelftest(database.db, { size: 48, repeats: 2 });
    const run = await waitUntilFinished(database.db, queued.id);
    expect(run.error).toBeNull();
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      attempt: 1,
      progress: 1,
      workerId: workers[0]!.id,
    });
    expect(run.startedAt).not.toBeNull();
    expect(run.finishedAt!.getTime()).toBeGreaterThanOrEqual(run.startedAt!.getTime());
    expect(run.device).toMatchObject({
      description: expect.any(String),
      backend: expect.any(String),
    });

    const metrics = await database.db.metricPoint.findMany({ where: { runId: queued.id } });
    const latest = Object.fromEntries(metrics.map((m) => [m.key, m.value]));
    expect(latest.gflops).toBeGreaterThan(0);
    expect(latest.max_rel_error).toBeLessThan(1e-3);

    const worker = await database.db.worker.findUniqueOrThrow({ where: { id: workers[0]!.id } });
    expect(worker.adapter).toMatchObject({ description: expect.any(String) });
  });

  it('runs an inference benchmark of a checkpoint and records its benchmark row', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'factorlab-bench-model-'));
    try {
      await writeFixtureCheckpoint(directory, FIXTURE_VARIANTS[0]!.options);
      const config = { model: directory, experts: 2, topK: 1, promptLen: 5, genLen: 3, repeats: 1 };
      const queued = await queueJob(database.db, 'inference-bench', config);
      const run = await waitUntilFinished(database.db, queued.id);
      expect(run.error).toBeNull();
      expect(run.status).toBe('SUCCEEDED');
      const rows = await database.db.benchmark.findMany({ where: { runId: queued.id } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ experts: 2, topK: 1, promptLen: 5, genLen: 3, batch: 1 });
      expect(rows[0]!.speedup).toBeCloseTo(rows[0]!.decodeTokS / rows[0]!.denseDecodeTokS!, 6);
      const speedup = await database.db.metricPoint.findFirst({
        where: { runId: queued.id, key: 'speedup' },
      });
      expect(speedup?.value).toBeCloseTo(rows[0]!.speedup!, 6);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('ends a run FAILED with the reason when no job of its kind exists', async () => {
    const runId = await database.db.$transaction(async (tx) => {
      const experiment = await tx.experiment.create({
        data: { name: 'ghost', kind: 'ghost', config: {}, configHash: 'x', runs: { create: {} } },
        include: { runs: true },
      });
      await enqueueRun(tx, experiment.runs[0]!.id, 0);
      return experiment.runs[0]!.id;
    });
    const run = await waitUntilFinished(database.db, runId);
    expect(run.status).toBe('FAILED');
    expect(run.error).toContain('ghost');
  });

  it('never runs the same run twice when two workers share the queue, and both take runs', async () => {
    workers.push(
      await startWorker(database.db, database.url, {
        extraJobs: COUNTER,
        // The benchmarked checkpoint is written to the temporary folder.
        paths: new PathRoots([tmpdir()]),
      }),
    );
    // Runs of about half a second each, so that one worker cannot take them all before the other
    // has leased one.
    const steps = 20;
    const queued = await Promise.all(
      Array.from({ length: 8 }, () =>
        database.db.$transaction((tx) =>
          insertQueuedExperiment(tx, {
            kind: CHECKPOINTING_COUNTER,
            name: 'counter',
            config: { steps, checkpointEvery: steps + 1, stepMs: 25, dir: tmpdir() },
            priority: 0,
            tags: [],
          }),
        ),
      ),
    );
    const finished = await Promise.all(queued.map((id) => waitUntilFinished(database.db, id)));
    expect(finished.map((run) => run.status)).toEqual(finished.map(() => 'SUCCEEDED'));
    expect(finished.map((run) => run.attempt)).toEqual(finished.map(() => 1));
    expect(new Set(finished.map((run) => run.workerId))).toEqual(
      new Set(workers.map((worker) => worker.id)),
    );
    const { rows: points } = await database.sql.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM metric_point WHERE run_id = ANY($1) AND key = 'value'`,
      [queued],
    );
    expect(points[0]!.count).toBe(queued.length * steps);
    const { rows } = await database.sql.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM graphile_worker.jobs`,
    );
    expect(rows[0]!.count).toBe(0);
  });
});
