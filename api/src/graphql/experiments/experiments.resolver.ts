import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { validateExperimentInput } from './experiment-input.validation.ts';
import { QueueExperimentInput } from './queue-experiment.input.ts';
import { QueueExperimentPayload } from './queue-experiment.payload.ts';
import { queueExperiment } from './experiments.service.ts';

@Resolver()
export class ExperimentsResolver {
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
