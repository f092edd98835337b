import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { RunFilter, RunOrder } from './run-filter.input.ts';
import { MetricValue, Run, RunConnection } from './run.type.ts';
import { metricSeries } from './series.service.ts';
import { MetricSeries } from './series.type.ts';
import { findRun, listRuns } from './runs.service.ts';

@Resolver(() => Run)
export class RunsResolver {
  @Authorized('VIEWER')
  @Query(() => Run, { nullable: true, description: 'One run, or null when no run has this id.' })
  run(@Arg('id', () => ID) id: string, @Ctx() { db }: ApiContext): Promise<Run | null> {
    return findRun(db, id);
  }

  @Authorized('VIEWER')
  @Query(() => RunConnection, {
    description: 'Runs matching `filter`, sorted by `orderBy` (newest first), 1 to 100 a page.',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Number(args.first ?? 20),
  })
  runs(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => RunFilter, { nullable: true }) filter: RunFilter | null,
    @Arg('orderBy', () => RunOrder, { nullable: true }) orderBy: RunOrder | null,
    @Ctx() { db }: ApiContext,
  ): Promise<RunConnection> {
    return listRuns(db, { first, after, filter, orderBy });
  }

  @FieldResolver(() => [MetricValue], {
    description: 'Every metric of the run: latest value and range.',
    // A run has tens of metric keys; count them as such.
    complexity: ({ childComplexity }) => 10 * childComplexity,
  })
  metrics(@Root() run: Run, @Ctx() { latestMetrics }: ApiContext): Promise<MetricValue[]> {
    return latestMetrics.load(run.id);
  }

  @FieldResolver(() => [MetricSeries], {
    description: 'Metric series over steps, downsampled to at most `samples` points per key.',
    complexity: ({ args }) =>
      1 + Math.ceil(((args.keys?.length ?? 1) * Number(args.samples ?? 500)) / 50),
  })
  series(
    @Root() run: Run,
    @Arg('keys', () => [String]) keys: string[],
    @Arg('minStep', () => Int, { nullable: true }) minStep: number | null,
    @Arg('maxStep', () => Int, { nullable: true }) maxStep: number | null,
    @Arg('samples', () => Int, { defaultValue: 500 }) samples: number,
    @Ctx() { db }: ApiContext,
  ): Promise<MetricSeries[]> {
    return metricSeries(db, run.id, { keys, minStep, maxStep, samples });
  }
}
