import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { EVAL_METRICS } from '@factorlab/gpu/metric-keys';
import type { ApiContext } from '../context.ts';
import type { MetricValue } from '../runs/run.type.ts';
import { LeaderboardFilter, LeaderboardOrder } from './leaderboard.input.ts';
import { leaderboardPage } from './leaderboard-page.ts';
import {
  LeaderboardConnection,
  LeaderboardEntry,
  QualityMetrics,
  SpeedMetrics,
} from './leaderboard.type.ts';

function latestValue(metrics: readonly MetricValue[], key: string): number | null {
  return metrics.find((metric) => metric.key === key)?.value ?? null;
}

@Resolver(() => LeaderboardEntry)
export class LeaderboardResolver {
  @Authorized('VIEWER')
  @Query(() => LeaderboardConnection, {
    description:
      'One row per configuration with a succeeded run, sorted by `orderBy` (latest finished ' +
      'first), 1 to 100 a page.',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Number(args.first ?? 20),
  })
  async leaderboard(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => LeaderboardFilter, { nullable: true }) filter: LeaderboardFilter | null,
    @Arg('orderBy', () => LeaderboardOrder, { nullable: true }) orderBy: LeaderboardOrder | null,
    @Ctx() { db, latestMetrics, benchmarks }: ApiContext,
  ): Promise<LeaderboardConnection> {
    const page = await leaderboardPage(db, { first, after, filter, orderBy });
    // The rows' metrics and benchmarks came with the cached page: quality and speed read them.
    page.connection.edges.forEach((edge, i) => {
      latestMetrics.prime(edge.node.run.id, page.metrics[i] ?? []);
      benchmarks.prime(edge.node.run.id, page.benchmarks[i] ?? []);
    });
    return page.connection;
  }

  @FieldResolver(() => QualityMetrics)
  async quality(
    @Root() entry: LeaderboardEntry,
    @Ctx() { latestMetrics }: ApiContext,
  ): Promise<QualityMetrics> {
    const metrics = await latestMetrics.load(entry.run.id);
    return {
      retention: latestValue(metrics, EVAL_METRICS.retention),
      perplexity: latestValue(metrics, EVAL_METRICS.perplexity),
      accuracy: latestValue(metrics, EVAL_METRICS.accuracy),
      perplexityRatio: latestValue(metrics, EVAL_METRICS.perplexityRatio),
      klToTeacher: latestValue(metrics, EVAL_METRICS.klToTeacher),
      top1Agreement: latestValue(metrics, EVAL_METRICS.top1Agreement),
    };
  }

  @FieldResolver(() => SpeedMetrics)
  async speed(
    @Root() entry: LeaderboardEntry,
    @Ctx() { latestMetrics, benchmarks }: ApiContext,
  ): Promise<SpeedMetrics> {
    const [benchmark] = await benchmarks.load(entry.run.id);
    if (benchmark) {
      return {
        decodeTokS: benchmark.decodeTokS,
        speedup: benchmark.speedup,
        bound: benchmark.bound,
        efficiency: benchmark.efficiency,
        device: benchmark.device ?? entry.run.device,
        benchmarkId: benchmark.id,
      };
    }
    const metrics = await latestMetrics.load(entry.run.id);
    return {
      decodeTokS: latestValue(metrics, 'decode_tok_s'),
      speedup: latestValue(metrics, 'speedup'),
      bound: latestValue(metrics, 'bound'),
      efficiency: latestValue(metrics, 'efficiency'),
      device: entry.run.device,
      benchmarkId: null,
    };
  }
}
