import { Field, ObjectType } from 'type-graphql';
import { Run } from '../runs/run.type.ts';

@ObjectType({
  description:
    'A run was queued or changed. `run` is null when changes may have been missed (the API lost ' +
    'its database connection for a while): read the list again.',
})
export class RunsChange {
  @Field(() => Run, { nullable: true })
  run!: Run | null;
}
