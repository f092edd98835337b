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

/**
 * Two queued self-test runs whose ids share their first 8 digits, so that short id names neither
 * (ids are otherwise random): what the tests of short ids need.
 */
export const TWIN_RUN_IDS = [
  'abcd1234-0000-4000-8000-000000000001',
  'abcd1234-0000-4000-8000-000000000002',
] as const;

export async function createTwinRuns(db: Db): Promise<void> {
  for (const id of TWIN_RUN_IDS) {
    await db.experiment.create({
      data: {
        name: id,
        kind: 'selftest',
        config: { size: 8 },
        configHash: id,
        runs: { create: { id } },
      },
    });
  }
}
