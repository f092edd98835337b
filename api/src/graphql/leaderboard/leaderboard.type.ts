import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo, Run } from '../runs/run.type.ts';
import { JSONScalar } from '../scalars.ts';

@ObjectType({
  description:
    'Quality metrics, read by key from the run’s summaries; null until a job reports them.',
})
export class QualityMetrics {
  @Field(() => Float, { nullable: true, description: 'Metric key `retention`.' })
  retention!: number | null;

  @Field(() => Float, { nullable: true, description: 'Metric key `perplexity`.' })
  perplexity!: number | null;

  @Field(() => Float, { nullable: true, description: 'Metric key `accuracy`.' })
  accuracy!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: "Metric key `perplexity_ratio`: the student's perplexity over the dense model's.",
  })
  perplexityRatio!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Metric key `kl_to_teacher`: mean KL(dense || student) per token, in nats.',
  })
  klToTeacher!: number | null;

  @Field(() => Float, { nullable: true, description: 'Metric key `top1_agreement`.' })
  top1Agreement!: number | null;
}

@ObjectType({
  description:
    "Speed: from the run's latest benchmark row when it has one, else read by key from its " +
    'metric summaries (decode_tok_s, speedup, efficiency); null until a job reports them.',
})
export class SpeedMetrics {
  @Field(() => Float, { nullable: true, description: 'Decode tokens/s.' })
  decodeTokS!: number | null;

  @Field(() => Float, { nullable: true, description: 'Over dense decoding.' })
  speedup!: number | null;

  @Field(() => Float, { nullable: true, description: 'The largest speedup attainable.' })
  bound!: number | null;

  @Field(() => Float, { nullable: true, description: '(speedup - 1) / (bound - 1).' })
  efficiency!: number | null;

  @Field(() => JSONScalar, { nullable: true, description: 'The adapter it was measured on.' })
  device!: unknown;

  @Field(() => ID, { nullable: true, description: 'The benchmark row these come from, if any.' })
  benchmarkId!: string | null;
}

@ObjectType({
  description:
    'One finished configuration (job kind and config hash) and its representative succeeded run: ' +
    'the best on the ordering metric, or else the latest finished.',
})
export class LeaderboardEntry {
  @Field(() => String)
  kind!: string;

  @Field(() => String)
  configHash!: string;

  @Field(() => JSONScalar, { description: "The representative run's config." })
  config!: unknown;

  @Field(() => Int, { description: 'How many runs of this configuration succeeded.' })
  runCount!: number;

  @Field(() => Run)
  run!: Run;
}

@ObjectType()
export class LeaderboardEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => LeaderboardEntry)
  node!: LeaderboardEntry;
}

@ObjectType()
export class LeaderboardConnection {
  @Field(() => [LeaderboardEdge])
  edges!: LeaderboardEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'How many configurations match.' })
  totalCount!: number;
}
