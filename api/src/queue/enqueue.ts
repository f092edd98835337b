import type { Prisma } from '../db/generated/client.ts';
import { EXECUTE_RUN_TASK } from './queue.ts';

/** How many times the queue hands a run to a worker whose process died before finishing it. */
export const MAX_RUN_ATTEMPTS = 3;

/**
 * Adds the queue job that executes `runId`, inside the caller's transaction, so a run row never
 * exists without its job (or a job without its row). Higher lab priority runs first; graphile-worker
 * runs lower numbers first, hence the negation.
 */
export async function enqueueRun(
  tx: Prisma.TransactionClient,
  runId: string,
  priority: number,
): Promise<void> {
  await tx.$executeRaw`
    SELECT graphile_worker.add_job(
      ${EXECUTE_RUN_TASK}::text,
      json_build_object('runId', ${runId}::text),
      priority := ${-priority}::int,
      job_key := ${runId}::text,
      max_attempts := ${MAX_RUN_ATTEMPTS}::int
    )`;
}
