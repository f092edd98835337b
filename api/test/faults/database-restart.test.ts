import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/client.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { insertQueuedExperiment } from '../../src/graphql/experiments/experiments.service.ts';
import { startApiServer, type ApiServer } from '../../src/graphql/server.ts';
import { migrateDatabase } from '../../src/queue/migrate-database.ts';
import { startWorker, type LabWorker } from '../../src/worker/worker.ts';
import { postGraphQL } from '../../../test/support/api.ts';
import { freePort } from '../../../test/support/ports.ts';
import { CHECKPOINTING_COUNTER, checkpointingCounterJob } from '../jobs/checkpointing-counter.ts';

const STEPS = 80;
const STEP_MS = 100;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined); // the database may be down
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A throwaway embedded cluster of this test's own, restarted under a running lab. */
describe('PostgreSQL restarted mid-run', () => {
  let dataDir: string;
  let port: number;
  let cluster: EmbeddedDatabase;
  let db: Db;
  let api: ApiServer;
  let worker: LabWorker;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'factorlab-db-restart-'));
    port = await freePort();
    cluster = await startEmbeddedPostgres(dataDir, port);
    await migrateDatabase(cluster.url);
    db = createDb(cluster.url);
    api = await startApiServer(db, {
      host: '127.0.0.1',
      port: await freePort(),
      auth: 'off',
      databaseUrl: cluster.url,
    });
    worker = await startWorker(db, cluster.url, {
      extraJobs: { [CHECKPOINTING_COUNTER]: checkpointingCounterJob },
    });
  }, 90_000);
  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await db?.$disconnect();
    await cluster?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('API and worker reconnect, the run completes, and no point is lost', async () => {
    const runId = await db.$transaction((tx) =>
      insertQueuedExperiment(tx, {
        kind: CHECKPOINTING_COUNTER,
        name: 'through a restart',
        config: { steps: STEPS, checkpointEvery: 10, stepMs: STEP_MS, dir: dataDir },
        priority: 0,
        tags: [],
      }),
    );
    await until(
      'the run to be under way',
      async () => ((await db.metricPoint.count({ where: { runId } })) > 20 ? true : undefined),
      30_000,
    );
    await cluster.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    cluster = await startEmbeddedPostgres(dataDir, port);

    const run = await until(
      'the run to end',
      async () => {
        const found = await db.run.findUniqueOrThrow({ where: { id: runId } });
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(found.status) ? found : undefined;
      },
      60_000,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('SUCCEEDED');
    const steps = await db.metricPoint.findMany({
      where: { runId, key: 'value' },
      select: { step: true },
      orderBy: { step: 'asc' },
    });
    expect(steps.map((point) => point.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i));

    // The API answers from the restarted database, and the worker still heartbeats.
    const answer = await postGraphQL<{ run: { status: string } }>(
      api.url,
      'query($id: ID!) { run(id: $id) { status } }',
      { id: runId },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ run: { status: 'SUCCEEDED' } });
    const before = (await db.worker.findUniqueOrThrow({ where: { id: worker.id } })).lastSeenAt;
    await until(
      'a heartbeat after the restart',
      async () => {
        const seen = (await db.worker.findUniqueOrThrow({ where: { id: worker.id } })).lastSeenAt;
        return seen > before ? true : undefined;
      },
      30_000,
    );
  }, 120_000);
});
