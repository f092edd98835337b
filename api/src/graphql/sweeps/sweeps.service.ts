import { GraphQLError } from 'graphql';
import type { Db } from '../../db/client.ts';
import type { Prisma } from '../../db/generated/client.ts';
import { ErrorCode } from '../errors.ts';
import { isPlainObject } from '../json.ts';
import { checkConfigPath } from '../experiments/config-paths.ts';
import {
  jobOfKind,
  validateExperimentInput,
  type ValidExperiment,
} from '../experiments/experiment-input.validation.ts';
import { insertQueuedExperiment } from '../experiments/experiments.service.ts';
import { findRun } from '../runs/runs.service.ts';
import type { Run } from '../runs/run.type.ts';
import { applyPoint, sweepPoints } from './sweep-points.ts';
import type { QueueSweepInput } from './sweep.input.ts';
import type { QueueSweepPayload } from './sweep.type.ts';

/** Every point's experiment, each checked by the job's schema; the first bad one is refused. */
function pointExperiments(input: QueueSweepInput, name: string): ValidExperiment[] {
  const base = input.baseConfig ?? {};
  if (!isPlainObject(base)) {
    throw new GraphQLError('baseConfig: must be a JSON object', {
      extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'baseConfig' },
    });
  }
  const job = jobOfKind(input.kind);
  input.parameters.forEach((parameter, i) =>
    checkConfigPath(job.schema, parameter.path, `parameters.${i}.path`),
  );
  const points = sweepPoints(input.parameters, input);
  return points.map((point, index) => {
    try {
      return validateExperimentInput({
        kind: input.kind,
        name: `${name} #${index + 1}`,
        config: applyPoint(base, point),
        priority: input.priority,
        tags: input.tags,
      });
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === ErrorCode.BAD_USER_INPUT) {
        const values = [...point].map(([path, value]) => `${path}=${JSON.stringify(value)}`);
        throw new GraphQLError(`point ${index + 1} (${values.join(', ')}): ${error.message}`, {
          extensions: { ...error.extensions, field: error.extensions.field, point: index + 1 },
        });
      }
      throw error;
    }
  });
}

/** Validates every point first, then writes the sweep, its experiments, runs and jobs at once. */
export async function queueSweep(db: Db, input: QueueSweepInput): Promise<QueueSweepPayload> {
  const name = input.name?.trim() || `${input.kind} sweep`;
  const experiments = pointExperiments(input, name);
  const { sweep, runIds } = await db.$transaction(
    async (tx) => {
      const created = await tx.sweep.create({
        data: {
          name,
          kind: input.kind,
          strategy: input.strategy,
          spec: {
            baseConfig: (input.baseConfig ?? {}) as Prisma.InputJsonValue,
            parameters: input.parameters.map((p) => ({ ...p })) as Prisma.InputJsonValue,
            samples: input.samples ?? null,
            seed: input.seed,
          },
        },
      });
      const ids: string[] = [];
      for (const experiment of experiments) {
        ids.push(await insertQueuedExperiment(tx, experiment, created.id));
      }
      return { sweep: created, runIds: ids };
    },
    { timeout: 60_000 },
  );
  const runs = (await Promise.all(runIds.map((id) => findRun(db, id)))).filter(
    (run): run is Run => run !== null,
  );
  return { sweep: { ...sweep, runCount: runs.length }, runs };
}
