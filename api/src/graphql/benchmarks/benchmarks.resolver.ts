import { Arg, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { Model } from '../models/model.type.ts';
import { BenchmarkFilter, BenchmarkOrder } from './benchmark-filter.input.ts';
import { Benchmark, BenchmarkConnection } from './benchmark.type.ts';
import { listBenchmarks } from './benchmarks.service.ts';

@Resolver(() => Benchmark)
export class BenchmarksResolver {
  @Authorized('VIEWER')
  @Query(() => BenchmarkConnection, {
    description:
      'Benchmark rows matching `filter`, sorted by `orderBy` (newest first), 1 to 100 a page.',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Number(args.first ?? 20),
  })
  benchmarks(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => BenchmarkFilter, { nullable: true }) filter: BenchmarkFilter | null,
    @Arg('orderBy', () => BenchmarkOrder, { nullable: true }) orderBy: BenchmarkOrder | null,
    @Ctx() { db }: ApiContext,
  ): Promise<BenchmarkConnection> {
    return listBenchmarks(db, { first, after, filter, orderBy });
  }

  @FieldResolver(() => Model, { nullable: true, description: 'The registered model measured.' })
  model(@Root() row: Benchmark, @Ctx() { models }: ApiContext): Promise<Model | null> {
    return row.modelId ? models.load(row.modelId) : Promise.resolve(null);
  }
}
