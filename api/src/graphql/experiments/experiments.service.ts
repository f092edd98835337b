import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import type { Prisma } from '../../db/generated/client.ts';
import { enqueueRun } from '../../queue/enqueue.ts';
import { findRun } from '../runs/runs.service.ts';
import type { Run } from '../runs/run.type.ts';
import type { ValidExperiment } from './experiment-input.validation.ts';

/** JSON with object keys sorted, so equal configs hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function configHash(kind: string, config: unknown): string {
  return createHash('sha256')
    .update(`${kind}\n${canonicalJson(config)}`)
    .digest('hex');
}

/**
 * Inside the caller's transaction: the experiment, its run and the run's queue job. Returns the
 * run's id.
 */
export async function insertQueuedExperiment(
  tx: Prisma.TransactionClient,
  experiment: ValidExperiment,
  sweepId: string | null = null,
): Promise<string> {
  const created = await tx.experiment.create({
    data: {
      name: experiment.name,
      kind: experiment.kind,
      config: experiment.config as Prisma.InputJsonValue,
      configHash: configHash(experiment.kind, experiment.config),
      tags: experiment.tags,
      sweepId,
      runs: { create: { priority: experiment.priority } },
    },
    include: { runs: { select: { id: true } } },
  });
  const run = created.runs[0];
  if (!run) throw new Error('the run row was not created with its experiment');
  await enqueueRun(tx, run.id, experiment.priority);
  return run.id;
}

/** Writes the experiment, its run and the run's queue job in one transaction. */
export async function queueExperiment(db: Db, experiment: ValidExperiment): Promise<Run> {
  const runId = await db.$transaction((tx) => insertQueuedExperiment(tx, experiment));
  const run = await findRun(db, runId);
  if (!run) throw new Error(`run ${runId} vanished right after it was queued`);
  return run;
}
