import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LogLevel } from '../../db/generated/enums.ts';

registerEnumType(LogLevel, { name: 'LogLevel', description: 'How much a log line matters.' });

@ObjectType({ description: "One line of a run's log." })
export class LogLine {
  @Field(() => Int, { description: 'Its place in the run: 1, 2, ... across all attempts.' })
  seq!: number;

  @Field(() => LogLevel)
  level!: LogLevel;

  @Field(() => String)
  message!: string;

  @Field(() => GraphQLISODateTime, { description: 'When the worker logged it.' })
  loggedAt!: Date;
}

@ObjectType({ description: "A page of a run's log, oldest line first." })
export class LogPage {
  @Field(() => [LogLine])
  lines!: LogLine[];

  @Field(() => Int, {
    description: 'The last seq of the page (or the `after` asked for): the next page is after it.',
  })
  lastSeq!: number;

  @Field(() => Boolean, { description: 'Whether lines after this page are stored already.' })
  hasNextPage!: boolean;
}

@ObjectType({ description: 'Log lines a run wrote, in seq order; resume after `lastSeq`.' })
export class LogBatch {
  @Field(() => ID)
  runId!: string;

  @Field(() => [LogLine])
  lines!: LogLine[];

  @Field(() => Int)
  lastSeq!: number;
}
