import { Arg, Authorized, ID, Int, Resolver, Root, Subscription } from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { Run } from '../runs/run.type.ts';
import { MetricBatch } from './metric-batch.type.ts';
import { metricBatches, runsChanges, runUpdates } from './run-feeds.ts';
import { RunsChange } from './runs-change.type.ts';
import { whileAuthorized } from './while-authorized.ts';

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
      'nothing is sent for the runs as they are now.',
    subscribe: ({ context }: SubscriptionArgs) =>
      whileAuthorized(context, runsChanges(context.db, context.changes)),
  })
  runsChanged(@Root() change: RunsChange): RunsChange {
    return change;
  }
}
