import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { JSONScalar } from '../scalars.ts';
import { RunActionPayload } from './run-actions.payload.ts';
import { cancelRun, cloneRun, retryRun } from './run-actions.service.ts';

@Resolver()
export class RunActionsResolver {
  @Authorized('EDITOR')
  @Mutation(() => RunActionPayload, {
    description: 'Cancels a queued or running run; a running one stops at its next step.',
  })
  cancelRun(@Arg('id', () => ID) id: string, @Ctx() { db }: ApiContext): Promise<RunActionPayload> {
    return cancelRun(db, id);
  }

  @Authorized('EDITOR')
  @Mutation(() => RunActionPayload, {
    description: 'Queues a new run of a FAILED or CANCELLED run’s experiment.',
  })
  retryRun(@Arg('id', () => ID) id: string, @Ctx() { db }: ApiContext): Promise<RunActionPayload> {
    return retryRun(db, id);
  }

  @Authorized('EDITOR')
  @Mutation(() => RunActionPayload, {
    description: 'Queues a new experiment: the run’s config with configPatch merged in.',
  })
  cloneRun(
    @Arg('id', () => ID) id: string,
    @Arg('configPatch', () => JSONScalar, { nullable: true }) configPatch: unknown,
    @Arg('name', () => String, { nullable: true }) name: string | null,
    @Ctx() { db }: ApiContext,
  ): Promise<RunActionPayload> {
    return cloneRun(db, id, { configPatch: configPatch ?? undefined, name });
  }
}
