import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo, Run } from '../runs/run.type.ts';
import { JSONScalar } from '../scalars.ts';

@ObjectType({ description: 'What a user asked for: a job kind and its config; runs execute it.' })
export class Experiment {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'The job kind, e.g. selftest.' })
  kind!: string;

  @Field(() => JSONScalar, { description: 'The resolved config, defaults filled in.' })
  config!: unknown;

  @Field(() => String, { description: 'SHA-256 of the kind and canonical config.' })
  configHash!: string;

  @Field(() => [String])
  tags!: string[];

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => Int, { description: 'How many runs execute this experiment.' })
  runCount!: number;

  @Field(() => Run, { nullable: true, description: 'The most recently queued run.' })
  latestRun!: Run | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The sweep this experiment is a point of; null outside sweeps.',
  })
  sweepId!: string | null;
}

@ObjectType()
export class ExperimentEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Experiment)
  node!: Experiment;
}

@ObjectType()
export class ExperimentConnection {
  @Field(() => [ExperimentEdge])
  edges!: ExperimentEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
