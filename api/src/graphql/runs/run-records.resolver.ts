import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Artifact } from '../artifacts/artifact.type.ts';
import { Benchmark } from '../benchmarks/benchmark.type.ts';
import type { ApiContext } from '../context.ts';
import { Run } from './run.type.ts';

/** What a run recorded besides metrics: its benchmark rows and the files it produced. */
@Resolver(() => Run)
export class RunRecordsResolver {
  @FieldResolver(() => [Benchmark], {
    description: "The run's benchmark rows, newest first.",
    complexity: ({ childComplexity }) => 10 * childComplexity,
  })
  benchmarks(@Root() run: Run, @Ctx() { benchmarks }: ApiContext): Promise<Benchmark[]> {
    return benchmarks.load(run.id);
  }

  @FieldResolver(() => [Artifact], {
    description: 'Files the run produced (checkpoints, models, reports), oldest first.',
    complexity: ({ childComplexity }) => 10 * childComplexity,
  })
  artifacts(@Root() run: Run, @Ctx() { artifacts }: ApiContext): Promise<Artifact[]> {
    return artifacts.load(run.id);
  }
}
