import { graphql } from './generated/gql.ts';
import type { QueueExperimentInput } from './generated/graphql.ts';
import { gql } from './graphql.ts';
import type { JsonSchema } from './schema-form.ts';

export interface JobKind {
  kind: string;
  configSchema: JsonSchema;
}

export const JOB_KINDS_QUERY = graphql(`
  query JobKinds {
    jobKinds {
      kind
      configSchema
    }
  }
`);

/** The job kinds the lab can queue, each with the JSON Schema of its config. */
export async function fetchJobKinds(): Promise<JobKind[]> {
  const { jobKinds } = await gql(JOB_KINDS_QUERY);
  // configSchema is JSON: the API serves each job's config schema, a JSON Schema object.
  return jobKinds.map((jobKind) => ({
    ...jobKind,
    configSchema: jobKind.configSchema as JsonSchema,
  }));
}

export const QUEUE_EXPERIMENT_MUTATION = graphql(`
  mutation QueueExperiment($input: QueueExperimentInput!) {
    queueExperiment(input: $input) {
      run {
        id
      }
    }
  }
`);

/** Queues one run; the API checks the config against the job's schema. Returns the run's id. */
export async function queueExperiment(input: QueueExperimentInput): Promise<string> {
  const { queueExperiment: payload } = await gql(QUEUE_EXPERIMENT_MUTATION, { input });
  return payload.run.id;
}
