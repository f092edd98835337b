import { Field, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { OrderDirection } from '../runs/run-filter.input.ts';

@InputType({ description: 'Benchmark rows matching every given condition; lists mean any of.' })
export class BenchmarkFilter {
  @Field(() => [ID], { nullable: true })
  runId?: string[] | null;

  @Field(() => [ID], { nullable: true })
  modelId?: string[] | null;

  @Field(() => [Int], { nullable: true })
  experts?: number[] | null;

  @Field(() => [Int], { nullable: true })
  topK?: number[] | null;

  @Field(() => [String], { nullable: true })
  dtype?: string[] | null;
}

export enum BenchmarkOrderField {
  CREATED_AT = 'CREATED_AT',
  DECODE_TOK_S = 'DECODE_TOK_S',
  SPEEDUP = 'SPEEDUP',
  EFFICIENCY = 'EFFICIENCY',
}
registerEnumType(BenchmarkOrderField, { name: 'BenchmarkOrderField' });

@InputType({ description: 'Sort order; rows lacking the value (no speedup, no bound) come last.' })
export class BenchmarkOrder {
  @Field(() => BenchmarkOrderField, { defaultValue: BenchmarkOrderField.CREATED_AT })
  field!: BenchmarkOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.DESC })
  direction!: OrderDirection;
}
