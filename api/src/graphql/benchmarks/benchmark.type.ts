import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../runs/run.type.ts';
import { JSONScalar } from '../scalars.ts';

@ObjectType({
  description:
    'One measured inference configuration of a run: throughput, decode latency and the speedup ' +
    'over dense decoding, against its bound.',
})
export class Benchmark {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  runId!: string;

  @Field(() => ID, { nullable: true, description: 'The registered model measured, if known.' })
  modelId!: string | null;

  @Field(() => Int, { nullable: true, description: 'Experts per layer.' })
  experts!: number | null;

  @Field(() => Int, { nullable: true, description: 'Experts active per token.' })
  topK!: number | null;

  @Field(() => String, { nullable: true, description: 'How the dense layers were split.' })
  split!: string | null;

  @Field(() => String, { nullable: true, description: 'Weight dtype, e.g. f16.' })
  dtype!: string | null;

  @Field(() => Int)
  batch!: number;

  @Field(() => Int, { description: 'Prompt tokens per sequence.' })
  promptLen!: number;

  @Field(() => Int, { description: 'Generated tokens per sequence.' })
  genLen!: number;

  @Field(() => Float, { description: 'Prefill tokens/s.' })
  prefillTokS!: number;

  @Field(() => Float, { description: 'Decode tokens/s.' })
  decodeTokS!: number;

  @Field(() => Float, { nullable: true, description: 'Decode tokens/s of the dense model.' })
  denseDecodeTokS!: number | null;

  @Field(() => Float, { nullable: true, description: 'Median decode step latency, ms.' })
  decodeP50Ms!: number | null;

  @Field(() => Float, { nullable: true, description: '95th percentile decode step latency, ms.' })
  decodeP95Ms!: number | null;

  @Field(() => Float, { nullable: true, description: 'decodeTokS / denseDecodeTokS.' })
  speedup!: number | null;

  @Field(() => Float, { nullable: true, description: 'The largest speedup attainable.' })
  bound!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      '(speedup - 1) / (bound - 1): the share of the attainable gain realised (1 = the bound, ' +
      '0 = no faster than dense); null unless bound > 1.',
  })
  efficiency!: number | null;

  @Field(() => JSONScalar, { nullable: true, description: 'The adapter it was measured on.' })
  device!: unknown;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType()
export class BenchmarkEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Benchmark)
  node!: Benchmark;
}

@ObjectType()
export class BenchmarkConnection {
  @Field(() => [BenchmarkEdge])
  edges!: BenchmarkEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
