import { Field, InputType, registerEnumType } from 'type-graphql';
import { OrderDirection } from '../runs/run-filter.input.ts';

@InputType({ description: 'Configurations matching every given condition.' })
export class LeaderboardFilter {
  @Field(() => [String], { nullable: true, description: 'Any of these job kinds.' })
  kind?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'All of these tags.' })
  tags?: string[] | null;
}

export enum LeaderboardOrderField {
  FINISHED_AT = 'FINISHED_AT',
  RUN_COUNT = 'RUN_COUNT',
}
registerEnumType(LeaderboardOrderField, { name: 'LeaderboardOrderField' });

@InputType({
  description:
    'Sort by a field or by a metric of the representative run (configurations without it last).',
})
export class LeaderboardOrder {
  @Field(() => LeaderboardOrderField, { nullable: true })
  field?: LeaderboardOrderField | null;

  @Field(() => String, { nullable: true, description: 'A metric key; give this or `field`.' })
  metricKey?: string | null;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.DESC })
  direction!: OrderDirection;
}
