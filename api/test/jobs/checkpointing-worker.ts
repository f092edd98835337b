// A worker process that also runs the checkpointing counter, for tests that kill it mid-run.
// Usage: node --import tsx api/test/jobs/checkpointing-worker.ts (DATABASE_URL and
// FACTORLAB_WORKER_LEASE_MS in the environment).
import { createDb } from '../../src/db/client.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { CHECKPOINTING_COUNTER, checkpointingCounterJob } from './checkpointing-counter.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set');
await startWorker(createDb(url), url, {
  extraJobs: { [CHECKPOINTING_COUNTER]: checkpointingCounterJob },
});
process.stdout.write('worker started\n');
