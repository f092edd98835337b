import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathRoots } from '../../api/src/files/path-roots.ts';
import { insertQueuedExperiment } from '../../api/src/graphql/experiments/experiments.service.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';
import { waitForRunStatus } from '../../test/support/runs.ts';
import {
  CHECKPOINTING_COUNTER,
  checkpointingCounterJob,
  stepValue,
} from './jobs/checkpointing-counter.ts';

const STEPS = 400;
const CHECKPOINT_EVERY = 5;

describe.each(databaseTargets())('a worker stopping on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let dir: string;
  const started: LabWorker[] = [];
  const startCounterWorker = async () => {
    const worker = await startWorker(database.db, database.url, {
      extraJobs: { [CHECKPOINTING_COUNTER]: checkpointingCounterJob },
      paths: new PathRoots([tmpdir()]),
    });
    started.push(worker);
    return worker;
  };

  const queueCounter = (name: string, config: Record<string, unknown>, priority = 0) =>
    database.db.$transaction((tx) =>
      insertQueuedExperiment(tx, {
        kind: CHECKPOINTING_COUNTER,
        name,
        config: { ...config, dir },
        priority,
        tags: [],
      }),
    );
  /** Polls `reached` every 50 ms until it holds. */
  const until = async (reached: () => Promise<boolean>) => {
    while (!(await reached())) await new Promise((resolve) => setTimeout(resolve, 50));
  };

  beforeAll(async () => {
    database = await createTestDatabase(target);
    dir = await mkdtemp(join(tmpdir(), 'factorlab-worker-stop-'));
  });
  afterAll(async () => {
    await Promise.all(started.map((worker) => worker.stop().catch(() => {})));
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops a run in flight at its next step and queues it again; the next worker resumes it from its checkpoint', async () => {
    const first = await startCounterWorker();
    const runId = await queueCounter(
      'long counter',
      { steps: STEPS, checkpointEvery: CHECKPOINT_EVERY, stepMs: 25 },
      3,
    );
    // Past a few checkpoints, and far from the end (400 steps of 25 ms).
    await until(
      async () => (await database.db.artifact.count({ where: { runId, kind: 'CHECKPOINT' } })) >= 3,
    );

    const stopStarted = performance.now();
    await first.stop();
    // A step is 25 ms: the worker does not wait for the run's remaining seconds.
    expect(performance.now() - stopStarted).toBeLessThan(5_000);
    const released = await database.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(released).toMatchObject({ status: 'QUEUED', workerId: null, attempt: 1 });
    const log = await database.db.runLog.findMany({ where: { runId }, orderBy: { seq: 'asc' } });
    expect(log.at(-1)?.message).toMatch(/^released after step \d+: its worker is stopping/);
    // Back in the queue as a fresh job, not as a spent attempt; the job it ran under is done.
    const { rows: jobs } = await database.sql.query<{ attempts: number; priority: number }>(
      `SELECT attempts, priority, key FROM graphile_worker._private_jobs WHERE payload->>'runId' = $1`,
      [runId],
    );
    expect(jobs).toEqual([{ attempts: 0, priority: -3, key: runId }]);
    const releasedAt = await database.db.metricPoint.aggregate({
      where: { runId, key: 'value' },
      _max: { step: true },
    });
    expect(releasedAt._max.step).toBeLessThan(STEPS - 1);

    const second = await startCounterWorker();
    const finished = await waitForRunStatus(database.db, runId);
    await second.stop();
    expect(finished.error).toBeNull();
    expect(finished).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
    const summary = await database.db.metricPoint.findMany({
      where: { runId, key: { in: ['total', 'resumed_from'] }, step: STEPS - 1 },
    });
    const value = (key: string) => summary.find((point) => point.key === key)?.value;
    expect(value('resumed_from')).toBeGreaterThanOrEqual(3 * CHECKPOINT_EVERY - 1);
    const expected = Array.from({ length: STEPS }, (_, step) => stepValue(step)).reduce(
      (sum, term) => sum + term,
    );
    expect(value('total')).toBeCloseTo(expected, 9);
  }, 120_000);

  it('records a run that ends without being told to stop, though its worker was stopping', async () => {
    const worker = await startCounterWorker();
    // The last step's 3 s wait is where the stop comes: the job does not ask again after it.
    const runId = await queueCounter('short counter', {
      steps: 2,
      checkpointEvery: 5,
      stepMs: 3_000,
    });
    await until(
      async () =>
        (await database.db.metricPoint.findFirst({ where: { runId, key: 'value', step: 1 } })) !==
        null,
    );
    await worker.stop();
    const run = await database.db.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: 'SUCCEEDED', attempt: 1 });
    const { rows: jobs } = await database.sql.query(
      `SELECT 1 FROM graphile_worker._private_jobs WHERE payload->>'runId' = $1`,
      [runId],
    );
    expect(jobs).toEqual([]);
  }, 60_000);
});
