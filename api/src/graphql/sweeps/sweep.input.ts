import { Field, Float, InputType, Int, registerEnumType } from 'type-graphql';
import { SweepStrategy } from '../../db/generated/enums.ts';
import { JSONScalar } from '../scalars.ts';

registerEnumType(SweepStrategy, {
  name: 'SweepStrategy',
  description: 'GRID: every combination of the values. RANDOM: `samples` random points.',
});

@InputType({ description: 'One config value to vary: a list of values, or a numeric range.' })
export class SweepParameter {
  @Field(() => String, { description: 'Dotted path into the config, e.g. `size`.' })
  path!: string;

  @Field(() => [JSONScalar], { nullable: true, description: 'The values to try.' })
  values?: unknown[] | null;

  @Field(() => Float, { nullable: true, description: 'Range start (RANDOM only).' })
  min?: number | null;

  @Field(() => Float, { nullable: true, description: 'Range end (RANDOM only).' })
  max?: number | null;

  @Field(() => Boolean, { defaultValue: false, description: 'Sample the range log-uniformly.' })
  logScale!: boolean;

  @Field(() => Boolean, { defaultValue: false, description: 'Round sampled values to integers.' })
  integer!: boolean;
}

@InputType()
export class QueueSweepInput {
  @Field(() => String)
  kind!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to "<kind> sweep".' })
  name?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'The config every point starts from.' })
  baseConfig?: unknown;

  @Field(() => [SweepParameter])
  parameters!: SweepParameter[];

  @Field(() => SweepStrategy, { defaultValue: SweepStrategy.GRID })
  strategy!: SweepStrategy;

  @Field(() => Int, { nullable: true, description: 'How many points RANDOM draws.' })
  samples?: number | null;

  @Field(() => Int, { defaultValue: 1, description: 'Seed of RANDOM, so a sweep can be redone.' })
  seed!: number;

  @Field(() => Int, { defaultValue: 100, description: 'Refuse sweeps of more runs than this.' })
  maxRuns!: number;

  @Field(() => Int, { defaultValue: 0 })
  priority!: number;

  @Field(() => [String], { defaultValue: [] })
  tags!: string[];
}
