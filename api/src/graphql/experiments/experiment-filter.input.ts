import { Field, InputType } from 'type-graphql';

@InputType({ description: 'Experiments matching every given condition.' })
export class ExperimentFilter {
  @Field(() => [String], { nullable: true, description: 'Any of these job kinds.' })
  kind?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'All of these tags.' })
  tags?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Names containing this, any case.' })
  nameContains?: string | null;
}
