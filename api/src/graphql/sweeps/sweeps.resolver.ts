import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { QueueSweepInput } from './sweep.input.ts';
import { QueueSweepPayload } from './sweep.type.ts';
import { queueSweep } from './sweeps.service.ts';

@Resolver()
export class SweepsResolver {
  @Authorized('EDITOR')
  @Mutation(() => QueueSweepPayload, {
    description:
      'Queues one run per point of a grid or random sweep over the base config; all or nothing.',
  })
  queueSweep(
    @Arg('input', () => QueueSweepInput) input: QueueSweepInput,
    @Ctx() { db }: ApiContext,
  ): Promise<QueueSweepPayload> {
    return queueSweep(db, input);
  }
}
