import {
  GraphQLISODateTime,
  Field,
  Float,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from 'type-graphql';
import { RunStatus } from '../../db/generated/enums.ts';
import { JSONScalar } from '../scalars.ts';

registerEnumType(RunStatus, { name: 'RunStatus', description: 'Where a run is in its life.' });

@ObjectType({ description: 'One metric of a run: its latest value, and its range so far.' })
export class MetricValue {
  @Field(() => String)
  key!: string;

  @Field(() => Int, { description: 'The step of the latest value.' })
  step!: number;

  @Field(() => Float, { description: 'The latest value.' })
  value!: number;

  @Field(() => Float)
  min!: number;

  @Field(() => Float)
  max!: number;
}

@ObjectType({ description: 'One execution of an experiment by a worker.' })
export class Run {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  experimentId!: string;

  @Field(() => String, { description: "The experiment's name." })
  name!: string;

  @Field(() => String, { description: 'The job kind, e.g. selftest.' })
  kind!: string;

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => Int, { description: 'Higher runs sooner.' })
  priority!: number;

  @Field(() => Int, { description: 'How many times a worker has started this run.' })
  attempt!: number;

  @Field(() => Float, { description: 'Fraction done, 0 to 1.' })
  progress!: number;

  @Field(() => String, { nullable: true, description: 'Why the run failed.' })
  error!: string | null;

  @Field(() => JSONScalar, { nullable: true, description: 'The adapter the run computed on.' })
  device!: unknown;

  @Field(() => JSONScalar, { description: 'The resolved config, defaults filled in.' })
  config!: unknown;

  @Field(() => [String])
  tags!: string[];

  @Field(() => GraphQLISODateTime)
  queuedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class RunEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Run)
  node!: Run;
}

@ObjectType()
export class RunConnection {
  @Field(() => [RunEdge])
  edges!: RunEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
