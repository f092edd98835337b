import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from 'type-graphql';
import { JSONScalar } from '../scalars.ts';

/** Where a worker stands, judged from its heartbeats against the lease. */
export enum WorkerState {
  ONLINE = 'ONLINE',
  STALE = 'STALE',
  DEAD = 'DEAD',
  STOPPED = 'STOPPED',
}

registerEnumType(WorkerState, {
  name: 'WorkerState',
  description:
    'ONLINE: heartbeats on time. STALE: two or more heartbeats missed. DEAD: silent past its ' +
    'lease, not yet reclaimed. STOPPED: stopped cleanly, or presumed dead and its runs requeued.',
});

@ObjectType({ description: 'A worker process as the dashboard shows it: its state and its run.' })
export class WorkerStatus {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  host!: string;

  @Field(() => Int)
  pid!: number;

  @Field(() => JSONScalar, { nullable: true, description: 'The adapter it computes on.' })
  adapter!: unknown;

  @Field(() => WorkerState)
  state!: WorkerState;

  @Field(() => GraphQLISODateTime)
  startedAt!: Date;

  @Field(() => GraphQLISODateTime)
  lastSeenAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  stoppedAt!: Date | null;

  @Field(() => Float, { description: 'Seconds since its last heartbeat, when asked.' })
  heartbeatAgeSeconds!: number;

  @Field(() => ID, { nullable: true, description: 'The run it is executing, if any.' })
  currentRunId!: string | null;

  @Field(() => Int, { description: 'Runs it has executed or is executing.' })
  runCount!: number;
}
