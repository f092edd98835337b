import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { leaseMsFromEnv } from '../../worker/lease.ts';
import type { ApiContext } from '../context.ts';
import { badUserInput } from '../errors.ts';
import { listWorkerStatuses } from './worker-statuses.ts';
import { WorkerStatus } from './worker-status.type.ts';

/** The workers page's data: every worker not stopped, then the most recently stopped ones. */
@Resolver()
export class WorkerStatusesResolver {
  @Authorized('VIEWER')
  @Query(() => [WorkerStatus], {
    description:
      'Workers with their state (online, stale, dead, stopped), adapter, current run and ' +
      'heartbeat age: every one not stopped, then up to `stopped` (0 to 100) stopped ones, newest first.',
    complexity: ({ args, childComplexity }) =>
      1 + childComplexity * (10 + Number(args.stopped ?? 10)),
  })
  async workerStatuses(
    @Arg('stopped', () => Int, { defaultValue: 10 }) stopped: number,
    @Ctx() { db }: ApiContext,
  ): Promise<WorkerStatus[]> {
    if (!Number.isInteger(stopped) || stopped < 0 || stopped > 100) {
      throw badUserInput('stopped', 'must be from 0 to 100');
    }
    return listWorkerStatuses(db, stopped, leaseMsFromEnv());
  }
}
