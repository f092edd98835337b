import os from 'node:os';
import path from 'node:path';
import {
  acquireGpu,
  adapterKindFromEnv,
  getJob,
  requireAdapterKind,
  type JobDefinition,
} from '@factorlab/gpu';
import { run as runQueue, type Runner } from 'graphile-worker';
import pg from 'pg';
import { readConfig } from '../config.ts';
import type { Db } from '../db/client.ts';
import { labPathRoots, type PathRoots } from '../files/path-roots.ts';
import { EXECUTE_RUN_TASK, isExecuteRunPayload, quietLogger } from '../queue/queue.ts';
import { executeRun, type JobFolders } from './execute-run.ts';
import { leaseMsFromEnv, recoverFromDeadWorkers } from './lease.ts';

/** Heartbeats per lease: a worker misses several before others presume it dead. */
const HEARTBEATS_PER_LEASE = 4;

export interface LabWorker {
  id: string;
  adapter: string;
  stop(): Promise<void>;
}

/**
 * A worker process: acquires this machine's GPU adapter (failing with the fix when there is none),
 * registers itself, and executes runs leased from the Postgres queue, one at a time. Any number of
 * workers on any number of machines can share one database.
 */
export async function startWorker(
  db: Db,
  databaseUrl: string,
  options: {
    leaseMs?: number;
    /** Jobs this worker runs besides the catalogue's, by kind (tests register theirs here). */
    extraJobs?: Readonly<Record<string, JobDefinition>>;
    /** Where jobs may read models from; by default the lab's configured roots. */
    paths?: PathRoots;
  } = {},
): Promise<LabWorker> {
  const leaseMs = options.leaseMs ?? leaseMsFromEnv();
  const extraJobs = options.extraJobs ?? {};
  const lab = readConfig();
  const folders: JobFolders = {
    paths: options.paths ?? labPathRoots(lab),
    corpusDirectory: path.join(lab.dataDir, 'data'),
  };
  const findJob = (kind: string) =>
    Object.hasOwn(extraJobs, kind) ? extraJobs[kind] : getJob(kind);
  const wantedAdapter = adapterKindFromEnv();
  const gpu = await acquireGpu();
  requireAdapterKind(gpu.info, wantedAdapter);
  const worker = await db.worker.create({
    data: { host: os.hostname(), pid: process.pid, adapter: { ...gpu.info } },
  });
  const beat = async () => {
    await db.worker.update({ where: { id: worker.id }, data: { lastSeenAt: new Date() } });
    const recovered = await recoverFromDeadWorkers(db, leaseMs);
    if (recovered.length > 0) {
      console.log(`[worker] presumed dead and released: ${recovered.join(', ')}`);
    }
  };
  await beat();
  const heartbeat = setInterval(() => {
    beat().catch((error: unknown) => console.error('[worker] heartbeat failed:', error));
  }, leaseMs / HEARTBEATS_PER_LEASE);
  heartbeat.unref();
  let queueWorkerId: string | null = null;
  let stopping = false;

  // The worker owns the queue's pool, which also carries its metric writes: graphile-worker ends a
  // pool it made without awaiting it and drops its error handlers at once, so a connection closing
  // late would crash the process.
  const queuePool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  queuePool.on('error', (error) =>
    console.error('[worker] queue connection error:', error.message),
  );
  let runner: Runner;
  try {
    runner = await runQueue({
      pgPool: queuePool,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: 2000,
      logger: quietLogger,
      // Through the batcher, which the runner's stop awaits: unbatched, a job finishing as the
      // worker stops is marked complete after stop() returns, when the pool has ended, and stays
      // locked.
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      taskList: {
        [EXECUTE_RUN_TASK]: async (payload, helpers) => {
          if (!isExecuteRunPayload(payload)) {
            throw new Error(`malformed ${EXECUTE_RUN_TASK} payload: ${JSON.stringify(payload)}`);
          }
          // Recorded so that, should this process die, others can unlock the jobs it holds.
          if (helpers.job.locked_by && helpers.job.locked_by !== queueWorkerId) {
            queueWorkerId = helpers.job.locked_by;
            await db.worker.update({ where: { id: worker.id }, data: { queueWorkerId } });
          }
          await executeRun(
            db,
            queuePool,
            worker.id,
            payload.runId,
            findJob,
            folders,
            () => stopping,
          );
        },
      },
    });
  } catch (error) {
    clearInterval(heartbeat);
    await queuePool.end();
    throw error;
  }
  return {
    id: worker.id,
    adapter: gpu.info.description || gpu.info.device,
    stop: async () => {
      // A run in flight stops at its next step and goes back to the queue (see executeRun).
      stopping = true;
      clearInterval(heartbeat);
      await runner.stop();
      await queuePool.end();
      await db.worker.update({ where: { id: worker.id }, data: { stoppedAt: new Date() } });
    },
  };
}
