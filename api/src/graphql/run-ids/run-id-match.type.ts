import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'What one typed prefix names: the one run id starting with it, or why none.',
})
export class RunIdMatch {
  @Field(() => String, { description: 'The prefix as given.' })
  prefix!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'The full id of the one run whose id starts with `prefix`; null unless exactly one does.',
  })
  id!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why `id` is null: the prefix cannot begin a run id, is too short, starts no run id, or ' +
      'starts several.',
  })
  problem!: string | null;
}
