import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { ExperimentFilter } from './experiment-filter.input.ts';
import { listExperiments } from './experiment-list.service.ts';
import { ExperimentConnection } from './experiment.type.ts';
import { validateExperimentInput } from './experiment-input.validation.ts';
import { QueueExperimentInput } from './queue-experiment.input.ts';
import { QueueExperimentPayload } from './queue-experiment.payload.ts';
import { queueExperiment } from './experiments.service.ts';

@Resolver()
export class ExperimentsResolver {
  @Authorized('VIEWER')
  @Query(() => ExperimentConnection, {
    description: 'Experiments matching `filter`, newest first, 1 to 100 a page.',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Number(args.first ?? 20),
  })
  experiments(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => ExperimentFilter, { nullable: true }) filter: ExperimentFilter | null,
    @Ctx() { db }: ApiContext,
  ): Promise<ExperimentConnection> {
    return listExperiments(db, { first, after, filter });
  }

  @Authorized('EDITOR')
  @Mutation(() => QueueExperimentPayload, {
    description: 'Validates the config against the job schema and queues one run of it.',
  })
  async queueExperiment(
    @Arg('input', () => QueueExperimentInput) input: QueueExperimentInput,
    @Ctx() { db }: ApiContext,
  ): Promise<QueueExperimentPayload> {
    const run = await queueExperiment(db, validateExperimentInput(input));
    return { run };
  }
}
