import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { leaseMsFromEnv } from '../../worker/lease.ts';
import type { ApiContext } from '../context.ts';
import { badUserInput } from '../errors.ts';
import { workerState } from './worker-state.ts';
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
    const select = {
      id: true,
      host: true,
      pid: true,
      adapter: true,
      startedAt: true,
      lastSeenAt: true,
      stoppedAt: true,
      _count: { select: { runs: true } },
      runs: { where: { status: 'RUNNING' as const }, select: { id: true }, take: 1 },
    };
    const [live, ended] = await Promise.all([
      db.worker.findMany({ where: { stoppedAt: null }, select, orderBy: { startedAt: 'desc' } }),
      db.worker.findMany({
        where: { stoppedAt: { not: null } },
        select,
        orderBy: { stoppedAt: 'desc' },
        take: stopped,
      }),
    ]);
    const now = Date.now();
    const leaseMs = leaseMsFromEnv();
    return [...live, ...ended].map((worker) => ({
      id: worker.id,
      host: worker.host,
      pid: worker.pid,
      adapter: worker.adapter,
      state: workerState(worker, now, leaseMs),
      startedAt: worker.startedAt,
      lastSeenAt: worker.lastSeenAt,
      stoppedAt: worker.stoppedAt,
      heartbeatAgeSeconds: (now - worker.lastSeenAt.getTime()) / 1000,
      currentRunId: worker.runs[0]?.id ?? null,
      runCount: worker._count.runs,
    }));
  }
}
