import { getJob, jobCatalogue, type JobDefinition } from '@factorlab/gpu';
import { badUserInput } from '../errors.ts';
import type { QueueExperimentInput } from './queue-experiment.input.ts';

export const PRIORITY_RANGE = { min: -100, max: 100 } as const;
const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 64;
const MAX_NAME_LENGTH = 200;

export interface ValidExperiment {
  kind: string;
  name: string;
  config: Record<string, unknown>;
  priority: number;
  tags: string[];
}

/** The catalogue's job of this kind; BAD_USER_INPUT on `kind` listing the known kinds otherwise. */
export function jobOfKind(kind: string): JobDefinition {
  const job = getJob(kind);
  if (!job) {
    const kinds = Object.keys(jobCatalogue).join(', ');
    throw badUserInput('kind', `unknown job kind "${kind}"; known kinds: ${kinds}`);
  }
  return job;
}

/**
 * Checks a queue request against the job's own config schema (the single place its rules live)
 * and the API's limits; throws BAD_USER_INPUT naming the first offending field.
 */
export function validateExperimentInput(input: QueueExperimentInput): ValidExperiment {
  const job = jobOfKind(input.kind);
  const name = input.name?.trim() || input.kind;
  if (name.length > MAX_NAME_LENGTH) {
    throw badUserInput('name', `is longer than ${MAX_NAME_LENGTH} characters`);
  }
  if (
    !Number.isInteger(input.priority) ||
    input.priority < PRIORITY_RANGE.min ||
    input.priority > PRIORITY_RANGE.max
  ) {
    throw badUserInput(
      'priority',
      `must be an integer from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}`,
    );
  }
  if (input.tags.length > MAX_TAGS) throw badUserInput('tags', `at most ${MAX_TAGS} tags`);
  const badTag = input.tags.findIndex((t) => t.trim() === '' || t.length > MAX_TAG_LENGTH);
  if (badTag >= 0) {
    throw badUserInput(`tags.${badTag}`, `must be 1 to ${MAX_TAG_LENGTH} characters`);
  }
  const parsed = job.schema.safeParse(input.config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['config', ...(issue?.path ?? []).map(String)].join('.');
    throw badUserInput(path, issue?.message ?? 'is invalid');
  }
  return {
    kind: job.kind,
    name,
    config: parsed.data as Record<string, unknown>,
    priority: input.priority,
    tags: [...new Set(input.tags.map((t) => t.trim()))],
  };
}
