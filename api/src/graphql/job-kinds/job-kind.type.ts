import { Field, ObjectType } from 'type-graphql';
import { JSONScalar } from '../scalars.ts';

@ObjectType({ description: 'A job the lab can queue, with the schema its config is checked by.' })
export class JobKindInfo {
  @Field(() => String, { description: 'The kind to queue, e.g. selftest.' })
  kind!: string;

  @Field(() => JSONScalar, {
    description:
      "The job's config schema as JSON Schema (draft 2020-12, input side: fields with defaults " +
      'may be left out), generated from the one schema the worker validates with; for forms.',
  })
  configSchema!: unknown;
}
