import { Field, Float, Int, ObjectType } from 'type-graphql';
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
}

@ObjectType({
  description:
    'Speed metrics, read by key from the run’s summaries; null until a job reports them.',
})
export class SpeedMetrics {
  @Field(() => Float, { nullable: true, description: 'Metric key `decode_tok_s`.' })
  decodeTokS!: number | null;

  @Field(() => Float, { nullable: true, description: 'Metric key `speedup`.' })
  speedup!: number | null;

  @Field(() => Float, { nullable: true, description: 'Metric key `efficiency`.' })
  efficiency!: number | null;
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
