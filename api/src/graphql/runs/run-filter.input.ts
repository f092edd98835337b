import { Field, Float, InputType, registerEnumType } from 'type-graphql';
import { RunStatus } from '../../db/generated/enums.ts';
import { JSONScalar } from '../scalars.ts';

/** Numeric bounds shared by the predicates; every bound given must hold. */
@InputType()
abstract class NumericBounds {
  @Field(() => Float, { nullable: true })
  gt?: number | null;

  @Field(() => Float, { nullable: true })
  gte?: number | null;

  @Field(() => Float, { nullable: true })
  lt?: number | null;

  @Field(() => Float, { nullable: true })
  lte?: number | null;
}

@InputType({ description: "A condition on one value of the runs' resolved config." })
export class ConfigPredicate extends NumericBounds {
  @Field(() => String, { description: 'Dotted path into the config, e.g. `size` or `optim.lr`.' })
  path!: string;

  @Field(() => JSONScalar, { nullable: true, description: 'Equal to this JSON value.' })
  eq?: unknown;
}

@InputType({ description: "A condition on a metric's latest value." })
export class MetricPredicate extends NumericBounds {
  @Field(() => String)
  key!: string;
}

@InputType({ description: 'Runs matching every given condition; `and` / `or` nest filters.' })
export class RunFilter {
  @Field(() => [RunFilter], { nullable: true })
  and?: RunFilter[] | null;

  @Field(() => [RunFilter], { nullable: true })
  or?: RunFilter[] | null;

  @Field(() => [RunStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: RunStatus[] | null;

  @Field(() => [String], { nullable: true, description: 'Any of these job kinds.' })
  kind?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'All of these tags.' })
  tags?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Runs whose id starts with this text (a short id), or whose kind, tags, experiment name, ' +
      'sweep name, error or config (as JSON text) contain it, ignoring case; up to 200 characters.',
  })
  text?: string | null;

  @Field(() => [ConfigPredicate], { nullable: true })
  config?: ConfigPredicate[] | null;

  @Field(() => [MetricPredicate], { nullable: true })
  metric?: MetricPredicate[] | null;
}

export enum RunOrderField {
  QUEUED_AT = 'QUEUED_AT',
  STARTED_AT = 'STARTED_AT',
  FINISHED_AT = 'FINISHED_AT',
  PRIORITY = 'PRIORITY',
  PROGRESS = 'PROGRESS',
}
registerEnumType(RunOrderField, { name: 'RunOrderField' });

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(OrderDirection, { name: 'OrderDirection' });

@InputType({
  description: 'Sort by a run field or by a metric’s latest value (runs without it last).',
})
export class RunOrder {
  @Field(() => RunOrderField, { nullable: true })
  field?: RunOrderField | null;

  @Field(() => String, { nullable: true, description: 'A metric key; give this or `field`.' })
  metricKey?: string | null;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.DESC })
  direction!: OrderDirection;
}
