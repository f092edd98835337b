import { Field, InputType, Int } from 'type-graphql';
import { JSONScalar } from '../scalars.ts';

@InputType({
  description: 'A job to run: its kind, its config (checked by the job schema) and how.',
})
export class QueueExperimentInput {
  @Field(() => String, { description: 'A job kind of the catalogue, e.g. selftest.' })
  kind!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the kind.' })
  name?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: "The job's config; defaults fill gaps." })
  config?: unknown;

  @Field(() => Int, { defaultValue: 0, description: 'From -100 to 100; higher runs sooner.' })
  priority!: number;

  @Field(() => [String], { defaultValue: [] })
  tags!: string[];
}
