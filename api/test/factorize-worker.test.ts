import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { PathRoots } from '../../api/src/files/path-roots.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
import { queueJob, waitForRunStatus } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
const DEMO = path.join(repoRoot, 'models', 'demo');

describe.each(databaseTargets())('a factorize run on a worker, $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let folder: string;
  let worker: LabWorker;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    folder = await mkdtemp(path.join(tmpdir(), 'factorlab-factorize-worker-'));
    worker = await startWorker(database.db, database.url, {
      paths: new PathRoots([folder, DEMO]),
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.drop();
    await rm(folder, { recursive: true, force: true });
  });

  it('writes the mixture of experts and records it as the run’s model', async () => {
    const output = path.join(folder, 'demo-n4k2');
    const queued = await queueJob(database.db, 'factorize', {
      model: DEMO,
      output,
      experts: 4,
      topK: 2,
      split: 'random',
      seed: 7,
    });
    const run = await waitForRunStatus(database.db, queued.id, TERMINAL, 120_000);
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    const artifacts = await database.db.artifact.findMany({ where: { runId: queued.id } });
    expect(artifacts.map(({ kind, path: file }) => [kind, file])).toEqual([['MODEL', output]]);
    const config = JSON.parse(await readFile(path.join(output, 'config.json'), 'utf8')) as {
      factorlab_moe: Record<string, unknown>;
    };
    expect(config.factorlab_moe).toMatchObject({ num_experts: 4, top_k: 2, split: 'random' });
  }, 180_000);

  it('refuses an output folder outside the worker’s roots before any work', async () => {
    const queued = await queueJob(database.db, 'factorize', {
      model: DEMO,
      output: '/etc/factorlab-moe',
      experts: 4,
      topK: 2,
    });
    const run = await waitForRunStatus(database.db, queued.id, TERMINAL, 60_000);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatch(/config\.output: \/etc\/factorlab-moe is outside the folders/);
  }, 120_000);
});
