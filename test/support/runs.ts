import type { Db } from '../../api/src/db/client.ts';
import { validateExperimentInput } from '../../api/src/graphql/experiments/experiment-input.validation.ts';
import { queueExperiment } from '../../api/src/graphql/experiments/experiments.service.ts';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** Polls the database until the run reaches `statuses` (default: any terminal status). */
export async function waitForRunStatus(
  db: Db,
  runId: string,
  statuses: ReadonlySet<string> = TERMINAL,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db.run.findUniqueOrThrow({ where: { id: runId } });
    if (statuses.has(run.status)) return run;
    if (Date.now() > deadline) {
      throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Queues a run of the job `kind` with `config`, as queueExperiment does, without the API. */
export function queueJob(db: Db, kind: string, config: Record<string, unknown>) {
  return queueExperiment(db, validateExperimentInput({ kind, config, priority: 0, tags: [] }));
}

export function queueSelftest(db: Db, config: Record<string, unknown>) {
  return queueJob(db, 'selftest', config);
}
