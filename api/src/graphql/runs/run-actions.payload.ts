import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../user-error.type.ts';
import { Run } from './run.type.ts';

@ObjectType({ description: 'The run a cancel, retry or clone acted on or created.' })
export class RunActionPayload {
  @Field(() => Run, { nullable: true, description: 'Null when userErrors says why not.' })
  run!: Run | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
