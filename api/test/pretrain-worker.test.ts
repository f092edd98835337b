import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { PathRoots } from '../../api/src/files/path-roots.ts';
import { cancelRun } from '../../api/src/graphql/runs/run-actions.service.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
import { queueJob, waitForRunStatus } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** The tokenizer and token caches the other training tests use, so they are built once. */
const DATA_DIRECTORY = path.join(repoRoot, '.lab', 'data');

function tinyPretrain(output: string, steps: number) {
  return {
    output,
    seed: 5,
    data: { vocabSize: 512, directory: DATA_DIRECTORY },
    model: { hiddenSize: 32, intermediateSize: 88, layers: 1, heads: 2 },
    training: { steps, batchSize: 2, sequenceLength: 16, learningRate: 3e-3, warmupSteps: 2 },
    evaluation: { every: 3, batches: 1, test: false },
    checkpoint: { every: 3, keep: 1 },
  };
}

describe.each(databaseTargets())('a pretrain run on a worker, $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let folder: string;
  let worker: LabWorker;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    folder = await mkdtemp(path.join(tmpdir(), 'factorlab-pretrain-worker-'));
    worker = await startWorker(database.db, database.url, {
      paths: new PathRoots([folder, DATA_DIRECTORY]),
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  it('records loss curves, held-out loss, checkpoints and the model', async () => {
    const output = path.join(folder, 'finished');
    const queued = await queueJob(database.db, 'pretrain', tinyPretrain(output, 6));
    const run = await waitForRunStatus(database.db, queued.id, TERMINAL, 180_000);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');

    const points = await database.db.metricPoint.findMany({ where: { runId: queued.id } });
    const stepsOf = (key: string) =>
      points
        .filter((point) => point.key === key)
        .map((point) => point.step)
        .sort((a, b) => a - b);
    expect(stepsOf('train_loss')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(stepsOf('grad_norm')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(stepsOf('val_loss')).toEqual([3, 6]);

    const artifacts = await database.db.artifact.findMany({ where: { runId: queued.id } });
    const kinds = artifacts.map(({ kind, path: file }) => `${kind} ${path.relative(output, file)}`);
    expect(kinds.sort()).toEqual([
      'CHECKPOINT checkpoints/step-00000003',
      'CHECKPOINT checkpoints/step-00000006',
      'MODEL model',
    ]);
  }, 240_000);

  it('stops between steps when cancelled', async () => {
    const output = path.join(folder, 'cancelled');
    const queued = await queueJob(database.db, 'pretrain', tinyPretrain(output, 100_000));
    // Cancelled once it has trained: a run that ignored it would take hours.
    for (;;) {
      const trained = await database.db.metricPoint.count({
        where: { runId: queued.id, key: 'train_loss' },
      });
      if (trained > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await cancelRun(database.db, queued.id);
    const run = await waitForRunStatus(database.db, queued.id, TERMINAL, 60_000);
    expect(run.status).toBe('CANCELLED');
    const steps = await database.db.metricPoint.count({
      where: { runId: queued.id, key: 'train_loss' },
    });
    expect(steps).toBeLessThan(1000);
  }, 240_000);

  it('refuses an output folder outside the worker’s roots before training', async () => {
    const queued = await queueJob(database.db, 'pretrain', tinyPretrain('/etc/factorlab', 6));
    const run = await waitForRunStatus(database.db, queued.id, TERMINAL, 60_000);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/config\.output: \/etc\/factorlab is outside the folders/);
    expect(await database.db.metricPoint.count({ where: { runId: queued.id } })).toBe(0);
  }, 120_000);
});
