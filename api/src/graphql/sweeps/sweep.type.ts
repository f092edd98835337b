import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { SweepStrategy } from '../../db/generated/enums.ts';
import { Run } from '../runs/run.type.ts';
import { JSONScalar } from '../scalars.ts';

@ObjectType({ description: 'A family of experiments varying one base config.' })
export class Sweep {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  kind!: string;

  @Field(() => SweepStrategy)
  strategy!: SweepStrategy;

  @Field(() => JSONScalar, { description: 'The request that made it: enough to redo the points.' })
  spec!: unknown;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => Int)
  runCount!: number;
}

@ObjectType()
export class QueueSweepPayload {
  @Field(() => Sweep)
  sweep!: Sweep;

  @Field(() => [Run], { description: 'The queued runs, one per point, in point order.' })
  runs!: Run[];
}
