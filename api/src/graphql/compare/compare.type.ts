import { Field, Float, ID, ObjectType } from 'type-graphql';
import { RunStatus } from '../../db/generated/enums.ts';
import { JSONScalar } from '../scalars.ts';

@ObjectType({ description: 'A run as a column of a comparison.' })
export class ComparedRun {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "The experiment's name." })
  name!: string;

  @Field(() => String)
  kind!: string;

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => JSONScalar, { nullable: true, description: 'The adapter the run computed on.' })
  device!: unknown;
}

@ObjectType({ description: 'One flattened config key and its value in each compared run.' })
export class ConfigComparison {
  @Field(() => String, { description: 'Dotted path into the config, e.g. `optim.lr`.' })
  key!: string;

  @Field(() => [JSONScalar], {
    nullable: 'items',
    description: "Each run's value, in the order of `runs`; null where its config lacks the key.",
  })
  values!: unknown[];

  @Field(() => Boolean, { description: 'Whether the runs disagree on this key.' })
  differs!: boolean;
}

@ObjectType({ description: "One metric key and each compared run's latest value of it." })
export class MetricComparison {
  @Field(() => String)
  key!: string;

  @Field(() => [Float], {
    nullable: 'items',
    description: "Each run's latest value, in the order of `runs`; null where it has none.",
  })
  values!: (number | null)[];
}

@ObjectType({ description: 'Runs side by side: their config keys and metrics, aligned by run.' })
export class RunComparison {
  @Field(() => [ComparedRun], { description: 'The runs, in the order they were asked for.' })
  runs!: ComparedRun[];

  @Field(() => [ConfigComparison], { description: 'The union of config keys, sorted.' })
  config!: ConfigComparison[];

  @Field(() => [MetricComparison], { description: 'The union of metric keys, sorted.' })
  metrics!: MetricComparison[];
}
