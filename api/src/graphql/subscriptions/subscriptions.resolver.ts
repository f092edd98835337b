import { Arg, Authorized, ID, Int, Resolver, Root, Subscription } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { Run } from '../runs/run.type.ts';
import { MetricBatch } from './metric-batch.type.ts';
import { leaseMsFromEnv } from '../../worker/lease.ts';
import { badUserInput } from '../errors.ts';
import { metricBatches, runsChanges, runUpdates, type RunsFilter } from './run-feeds.ts';
import { RunsChange } from './runs-change.type.ts';
import { whileAuthorized } from './while-authorized.ts';
import { workersChanges } from './worker-feeds.ts';
import { WorkersChange } from './workers-change.type.ts';

interface SubscriptionArgs {
  args: Record<string, unknown>;
  context: ApiContext;
}

@Resolver()
export class SubscriptionsResolver {
  @Authorized('VIEWER')
  @Subscription(() => Run, {
    description: 'The run now, then after every change (status, progress, device, ...).',
    subscribe: ({ args, context }: SubscriptionArgs) =>
      whileAuthorized(context, runUpdates(context.db, context.changes, String(args.id))),
  })
  runUpdated(@Root() run: Run, @Arg('id', () => ID) _id: string): Run {
    return run;
  }

  @Authorized('VIEWER')
  @Subscription(() => MetricBatch, {
    description: 'Metric points after `afterStep`: those stored, then each new batch. Resumable.',
    subscribe: ({ args, context }: SubscriptionArgs) =>
      whileAuthorized(
        context,
        metricBatches(context.db, context.changes, String(args.runId), Number(args.afterStep)),
      ),
  })
  metricsAppended(
    @Root() batch: MetricBatch,
    @Arg('runId', () => ID) _runId: string,
    @Arg('afterStep', () => Int, { defaultValue: -1 }) _afterStep: number,
  ): MetricBatch {
    return batch;
  }

  @Authorized('VIEWER')
  @Subscription(() => RunsChange, {
    description:
      'Every run queued or changed from now on (status, progress, ...), for lists of runs; ' +
      'nothing is sent for the runs as they are now. `ids` or `sweepId` keep to those runs or ' +
      "that sweep's; with `metrics`, a run writing metric points is a change too.",
    subscribe: ({ args, context }: SubscriptionArgs) =>
      whileAuthorized(context, runsChanges(context.db, context.changes, runsFilter(args))),
  })
  runsChanged(
    @Root() change: RunsChange,
    @Arg('ids', () => [ID], { nullable: true, description: 'Only these runs (up to 500).' })
    _ids: string[] | null,
    @Arg('sweepId', () => ID, { nullable: true, description: "Only this sweep's runs." })
    _sweepId: string | null,
    @Arg('metrics', () => Boolean, {
      defaultValue: false,
      description: 'Also when a run writes metric points.',
    })
    _metrics: boolean,
  ): RunsChange {
    return change;
  }

  @Authorized('VIEWER')
  @Subscription(() => WorkersChange, {
    description:
      'Every worker changed from now on, as the workers view shows it: registered, heartbeat, ' +
      'stopped or presumed dead, a run taken, finished or released, or its state moved on with ' +
      'time (stale, dead); nothing is sent for the workers as they are now.',
    subscribe: ({ context }: SubscriptionArgs) =>
      whileAuthorized(context, workersChanges(context.db, context.changes, leaseMsFromEnv())),
  })
  workersChanged(@Root() change: WorkersChange): WorkersChange {
    return change;
  }
}

const MAX_FOLLOWED_IDS = 500;

function runsFilter(args: Record<string, unknown>): RunsFilter {
  const ids = args.ids == null ? undefined : (args.ids as unknown[]).map(String);
  if (ids !== undefined && ids.length > MAX_FOLLOWED_IDS) {
    throw badUserInput('ids', `give at most ${MAX_FOLLOWED_IDS} runs`);
  }
  return {
    ...(ids === undefined ? {} : { ids }),
    ...(args.sweepId == null ? {} : { sweepId: String(args.sweepId) }),
    metrics: args.metrics === true,
  };
}
