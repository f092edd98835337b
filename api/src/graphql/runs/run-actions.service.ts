import { GraphQLError } from 'graphql';
import type { Db } from '../../db/client.ts';
import type { Prisma } from '../../db/generated/client.ts';
import { enqueueRun } from '../../queue/enqueue.ts';
import { ErrorCode } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { isPlainObject } from '../json.ts';
import { configPathProblem, patchPaths } from '../experiments/config-paths.ts';
import { jobOfKind, validateExperimentInput } from '../experiments/experiment-input.validation.ts';
import { queueExperiment } from '../experiments/experiments.service.ts';
import type { UserError } from '../user-error.type.ts';
import type { RunActionPayload } from './run-actions.payload.ts';
import type { Run } from './run.type.ts';
import { findRun } from './runs.service.ts';

function refused(code: string, message: string, field: string | null = null): RunActionPayload {
  const error: UserError = { code, message, field };
  return { run: null, userErrors: [error] };
}

/** The run an action names, or the user error saying why there is none. */
async function runNamed(db: Db, runId: string): Promise<Run | RunActionPayload> {
  if (!isUuid(runId)) {
    return refused(
      ErrorCode.BAD_USER_INPUT,
      `id: "${runId}" is not a run id; run ids are UUIDs, as runs lists them`,
      'id',
    );
  }
  const run = await findRun(db, runId);
  return run ?? refused(ErrorCode.NOT_FOUND, `run ${runId} does not exist`, 'id');
}

function isRefusal(value: Run | RunActionPayload): value is RunActionPayload {
  return 'userErrors' in value;
}

async function done(db: Db, runId: string): Promise<RunActionPayload> {
  return { run: await findRun(db, runId), userErrors: [] };
}

/**
 * A queued run is cancelled at once and its queue job removed; a running one is marked CANCELLED
 * and its worker stops at the job's next step.
 */
export async function cancelRun(db: Db, runId: string): Promise<RunActionPayload> {
  const run = await runNamed(db, runId);
  if (isRefusal(run)) return run;
  const cancelled = await db.$transaction(async (tx) => {
    const updated = await tx.run.updateMany({
      where: { id: runId, status: { in: ['QUEUED', 'RUNNING'] } },
      data: { status: 'CANCELLED', finishedAt: new Date() },
    });
    if (updated.count === 0) return false;
    // Deletes the job if no worker holds it; a held one is never retried.
    await tx.$executeRaw`SELECT graphile_worker.remove_job(${runId}::text)`;
    return true;
  });
  if (!cancelled) {
    const current = await findRun(db, runId);
    return refused(ErrorCode.CONFLICT, `run ${runId} already ended ${current?.status}`, 'id');
  }
  return done(db, runId);
}

/** Queues a new run of the same experiment (the failed or cancelled one stays as it was). */
export async function retryRun(db: Db, runId: string): Promise<RunActionPayload> {
  const run = await runNamed(db, runId);
  if (isRefusal(run)) return run;
  if (run.status !== 'FAILED' && run.status !== 'CANCELLED') {
    return refused(
      ErrorCode.CONFLICT,
      `only FAILED or CANCELLED runs can be retried; run ${runId} is ${run.status}`,
      'id',
    );
  }
  const retryId = await db.$transaction(async (tx) => {
    const retry = await tx.run.create({
      data: { experimentId: run.experimentId, priority: run.priority },
    });
    await enqueueRun(tx, retry.id, run.priority);
    return retry.id;
  });
  return done(db, retryId);
}

/**
 * Objects merge key by key; anything else in the patch replaces; null removes the key. Only own
 * keys are read, and keys are defined, never assigned, so a prototype key stays a plain key.
 */
export function mergeConfig(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else {
      const baseValue = Object.hasOwn(base, key) ? base[key] : undefined;
      Object.defineProperty(merged, key, {
        value: mergeConfig(baseValue, value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return merged;
}

/** The first patch path the job's config schema does not have, as a user error; else null. */
function patchPathProblem(kind: string, patch: Record<string, unknown>): UserError | null {
  const schema = jobOfKind(kind).schema;
  for (const path of patchPaths(patch)) {
    const problem = configPathProblem(schema, path);
    if (problem) {
      const field = ['configPatch', ...path].join('.');
      return { code: ErrorCode.BAD_USER_INPUT, message: `${field}: ${problem}`, field };
    }
  }
  return null;
}

/** A new experiment with the run's config patched, checked by the job's schema, and queued. */
export async function cloneRun(
  db: Db,
  runId: string,
  options: { configPatch: unknown; name?: string | null },
): Promise<RunActionPayload> {
  const run = await runNamed(db, runId);
  if (isRefusal(run)) return run;
  if (options.configPatch !== undefined && !isPlainObject(options.configPatch)) {
    return refused(ErrorCode.BAD_USER_INPUT, 'must be a JSON object', 'configPatch');
  }
  const pathProblem = patchPathProblem(run.kind, options.configPatch ?? {});
  if (pathProblem) return { run: null, userErrors: [pathProblem] };
  let experiment;
  try {
    experiment = validateExperimentInput({
      kind: run.kind,
      name: options.name ?? `${run.name} (clone)`,
      config: mergeConfig(run.config, options.configPatch ?? {}) as Prisma.InputJsonValue,
      priority: run.priority,
      tags: run.tags,
    });
  } catch (error) {
    if (!(error instanceof GraphQLError) || error.extensions.code !== ErrorCode.BAD_USER_INPUT) {
      throw error;
    }
    // The merged config broke the job's schema: name the field as the caller wrote it.
    const field = String(error.extensions.field ?? '').replace(/^config\b/, 'configPatch');
    return refused(
      ErrorCode.BAD_USER_INPUT,
      error.message.replace(/^config\b/, 'configPatch'),
      field,
    );
  }
  const clone = await queueExperiment(db, experiment);
  return { run: clone, userErrors: [] };
}
