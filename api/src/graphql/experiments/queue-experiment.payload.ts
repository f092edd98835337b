import { Field, ObjectType } from 'type-graphql';
import { Run } from '../runs/run.type.ts';

@ObjectType()
export class QueueExperimentPayload {
  @Field(() => Run, { description: 'The queued run.' })
  run!: Run;
}
