import { gql } from './graphql.ts';
import type { JsonSchema } from './schema-form.ts';

export interface JobKind {
  kind: string;
  configSchema: JsonSchema;
}

export const JOB_KINDS_QUERY = 'query JobKinds { jobKinds { kind configSchema } }';

/** The job kinds the lab can queue, each with the JSON Schema of its config. */
export async function fetchJobKinds(): Promise<JobKind[]> {
  const { jobKinds } = await gql<{ jobKinds: JobKind[] }>(JOB_KINDS_QUERY);
  return jobKinds;
}

export const QUEUE_EXPERIMENT_MUTATION = `mutation QueueExperiment($input: QueueExperimentInput!) {
  queueExperiment(input: $input) { run { id } }
}`;

/** Queues one run; the API checks the config against the job's schema. Returns the run's id. */
export async function queueExperiment(input: {
  kind: string;
  config: Record<string, unknown>;
  tags: string[];
  priority: number;
  name?: string;
}): Promise<string> {
  const { queueExperiment: payload } = await gql<{ queueExperiment: { run: { id: string } } }>(
    QUEUE_EXPERIMENT_MUTATION,
    { input },
  );
  return payload.run.id;
}
