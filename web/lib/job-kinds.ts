import { gql } from './graphql.ts';
import type { JsonSchema } from './schema-form.ts';

export interface JobKind {
  kind: string;
  configSchema: JsonSchema;
}

/** The job kinds the lab can queue, each with the JSON Schema of its config. */
export async function fetchJobKinds(): Promise<JobKind[]> {
  const { jobKinds } = await gql<{ jobKinds: JobKind[] }>(
    'query JobKinds { jobKinds { kind configSchema } }',
  );
  return jobKinds;
}
