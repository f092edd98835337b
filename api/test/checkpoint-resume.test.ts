import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { insertQueuedExperiment } from '../../api/src/graphql/experiments/experiments.service.ts';
import { discardPointsAfter, writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
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
const STEPS = 300;
const CHECKPOINT_EVERY = 25;

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(databaseTargets())(
  'a checkpointing run whose worker is killed, on the $name PostgreSQL',
  (target) => {
    let database: TestDatabase;
    let dir: string;
    let survivor: LabWorker | undefined;

    beforeAll(async () => {
      database = await createTestDatabase(target);
      dir = await mkdtemp(path.join(tmpdir(), 'factorlab-checkpoints-'));
    });
    afterAll(async () => {
      await survivor?.stop();
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('resumes from its latest checkpoint on another worker, each point written once', async () => {
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
      const runId = await database.db.$transaction((tx) =>
        insertQueuedExperiment(tx, {
          kind: CHECKPOINTING_COUNTER,
          name: 'counter',
          config: { steps: STEPS, checkpointEvery: CHECKPOINT_EVERY, stepMs: 15, dir },
          priority: 0,
          tags: [],
        }),
      );

      // Killed once it has checkpointed at least twice and written points past its last checkpoint.
      await until('a checkpoint and points past it', async () => {
        const { rows } = await database.sql.query<{
          checkpoint: number | null;
          last: number | null;
        }>(
          `SELECT (SELECT max(step) FROM artifact WHERE run_id = $1 AND kind = 'CHECKPOINT') AS checkpoint,
                (SELECT max(step) FROM metric_point WHERE run_id = $1) AS last`,
          [runId],
        );
        const { checkpoint, last } = rows[0]!;
        return checkpoint !== null && checkpoint >= 2 * CHECKPOINT_EVERY - 1 && last! > checkpoint
          ? true
          : null;
      });
      const exited = once(doomed, 'exit');
      doomed.kill('SIGKILL');
      await exited;
      const killedAt = new Date();
      const { rows: before } = await database.sql.query<{ checkpoint: number; last: number }>(
        `SELECT (SELECT max(step) FROM artifact WHERE run_id = $1 AND kind = 'CHECKPOINT') AS checkpoint,
              (SELECT max(step) FROM metric_point WHERE run_id = $1) AS last`,
        [runId],
      );
      const resumeStep = before[0]!.checkpoint;
      expect(before[0]!.last).toBeGreaterThan(resumeStep);
      expect(before[0]!.last).toBeLessThan(STEPS - 1);

      survivor = await startWorker(database.db, database.url, {
        leaseMs: LEASE_MS,
        extraJobs: { [CHECKPOINTING_COUNTER]: checkpointingCounterJob },
      });
      const finished = await waitForRunStatus(database.db, runId, undefined, 90_000);
      expect(finished).toMatchObject({ status: 'SUCCEEDED', attempt: 2, workerId: survivor.id });

      // The job resumed from the checkpoint the dead worker recorded last.
      const resumed = await database.db.runMetricSummary.findUniqueOrThrow({
        where: { runId_key: { runId, key: 'resumed_from' } },
      });
      expect(resumed.lastValue).toBe(resumeStep);

      // Every step once per key: steps up to the checkpoint from the first attempt, the rest from
      // the second (the dead attempt's points past its checkpoint were discarded, not kept).
      const { rows: points } = await database.sql.query<{
        key: string;
        step: number;
        value: number;
        logged_at: Date;
      }>(
        `SELECT key, step, value, logged_at FROM metric_point
       WHERE run_id = $1 AND key IN ('value', 'total') ORDER BY key, step`,
        [runId],
      );
      expect(points).toHaveLength(2 * STEPS);
      let total = 0;
      for (let step = 0; step < STEPS; step++) {
        total += stepValue(step);
        const value = points[STEPS + step]!;
        const running = points[step]!;
        expect(value).toMatchObject({ key: 'value', step, value: stepValue(step) });
        expect(running).toMatchObject({ key: 'total', step });
        expect(running.value).toBeCloseTo(total, 9);
        expect(running.logged_at < killedAt).toBe(step <= resumeStep);
      }

      // The summaries agree with the points.
      const { rows: summaries } = await database.sql.query(
        `SELECT s.key, s.last_step = p.last_step AND s.last_value = p.last_value
              AND s.min_value = p.min_value AND s.max_value = p.max_value AS agrees
       FROM run_metric_summary s JOIN (
         SELECT key, max(step) AS last_step, (array_agg(value ORDER BY step DESC))[1] AS last_value,
                min(value) AS min_value, max(value) AS max_value
         FROM metric_point WHERE run_id = $1 GROUP BY key) p ON p.key = s.key
       WHERE s.run_id = $1`,
        [runId],
      );
      expect(summaries.map((row) => row.key).sort()).toEqual(['resumed_from', 'total', 'value']);
      expect(summaries.every((row) => row.agrees)).toBe(true);

      // Each checkpoint is recorded once, sized and hashed as written.
      const artifacts = await database.db.artifact.findMany({
        where: { runId },
        orderBy: { step: 'asc' },
      });
      expect(artifacts.map((a) => a.step)).toEqual(
        Array.from({ length: STEPS / CHECKPOINT_EVERY }, (_, i) => (i + 1) * CHECKPOINT_EVERY - 1),
      );
      for (const artifact of artifacts) {
        const bytes = await readFile(artifact.path);
        expect(artifact).toMatchObject({
          kind: 'CHECKPOINT',
          bytes: BigInt(bytes.length),
          sha256: createHash('sha256').update(bytes).digest('hex'),
        });
      }
    }, 150_000);

    it('discards points past the checkpoint and rebuilds the summaries from those kept', async () => {
      // Not queued: the survivor worker above would run it and write points of its own.
      const experiment = await database.db.experiment.create({
        data: { name: 'x', kind: 'selftest', config: {}, configHash: 'x', runs: { create: {} } },
        include: { runs: true },
      });
      const runId = experiment.runs[0]!.id;
      const values = [5, 1, 9, 3, 7, 8, 0, 6];
      await writeMetricPoints(
        database.sql,
        runId,
        values.map((value, step) => ({ key: 'loss', step, value })),
      );
      await discardPointsAfter(database.db, runId, 3);
      const { rows: kept } = await database.sql.query<{ step: number }>(
        'SELECT step FROM metric_point WHERE run_id = $1 ORDER BY step',
        [runId],
      );
      expect(kept.map((row) => row.step)).toEqual([0, 1, 2, 3]);
      const summary = await database.db.runMetricSummary.findUniqueOrThrow({
        where: { runId_key: { runId, key: 'loss' } },
      });
      expect(summary).toMatchObject({ lastStep: 3, lastValue: 3, minValue: 1, maxValue: 9 });

      await discardPointsAfter(database.db, runId, -1);
      expect(await database.db.runMetricSummary.count({ where: { runId } })).toBe(0);
    });
  },
);
