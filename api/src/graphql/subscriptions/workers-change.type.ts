import { Field, ObjectType } from 'type-graphql';
import { WorkerStatus } from '../worker-view/worker-status.type.ts';

@ObjectType({
  description:
    'A worker changed, as the workers view shows it: registered, heartbeat, stopped or presumed ' +
    'dead, a run taken or finished, or its state changed with time (stale, dead). `worker` is ' +
    'null when changes may have been missed (the API lost its database connection for a while): ' +
    'read the list again.',
})
export class WorkersChange {
  @Field(() => WorkerStatus, { nullable: true })
  worker!: WorkerStatus | null;
}
