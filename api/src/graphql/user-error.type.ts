import { Field, ObjectType } from 'type-graphql';

/** A problem with a mutation's request that the caller can fix; the mutation changed nothing. */
@ObjectType()
export class UserError {
  @Field(() => String, { nullable: true, description: 'Dotted path of the input field, if any.' })
  field!: string | null;

  @Field(() => String)
  message!: string;

  @Field(() => String, { description: 'One of BAD_USER_INPUT, NOT_FOUND, CONFLICT.' })
  code!: string;
}
