import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType()
export class MetricPoint {
  @Field(() => String)
  key!: string;

  @Field(() => Int)
  step!: number;

  @Field(() => Float)
  value!: number;
}

@ObjectType({ description: 'Metric points a run wrote, in step order; resume after `lastStep`.' })
export class MetricBatch {
  @Field(() => ID)
  runId!: string;

  @Field(() => [MetricPoint])
  points!: MetricPoint[];

  @Field(() => Int)
  lastStep!: number;
}
