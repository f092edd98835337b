import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One bucket of a downsampled series: its last point and its range.' })
export class SeriesPoint {
  @Field(() => Int, { description: 'The last step in the bucket.' })
  step!: number;

  @Field(() => Float, { description: 'The value at that step.' })
  value!: number;

  @Field(() => Float)
  min!: number;

  @Field(() => Float)
  max!: number;
}

@ObjectType({ description: "A metric's values over steps, downsampled on the server." })
export class MetricSeries {
  @Field(() => String)
  key!: string;

  @Field(() => Int, { description: 'How many points the range holds before downsampling.' })
  totalPoints!: number;

  @Field(() => [SeriesPoint])
  points!: SeriesPoint[];
}
