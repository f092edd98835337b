import { jobCatalogue } from '@factorlab/gpu';
import { Authorized, Query, Resolver } from 'type-graphql';
import { z } from 'zod';
import { JobKindInfo } from './job-kind.type.ts';

let cached: JobKindInfo[] | undefined;

/** Every job kind with its config's JSON Schema, converted once from the catalogue's zod schemas. */
function jobKinds(): JobKindInfo[] {
  cached ??= Object.entries(jobCatalogue).map(([kind, job]) => ({
    kind,
    // Refinements across fields (experts and topK together) stay with the server's validation.
    configSchema: z.toJSONSchema(job.schema, { io: 'input', unrepresentable: 'any' }),
  }));
  return cached;
}

@Resolver()
export class JobKindsResolver {
  @Authorized('VIEWER')
  @Query(() => [JobKindInfo], {
    description: 'The job kinds the lab can queue, each with its config schema.',
  })
  jobKinds(): JobKindInfo[] {
    return jobKinds();
  }
}
