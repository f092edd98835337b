import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { ApiContext } from '../context.ts';
import { Run } from '../runs/run.type.ts';
import { whileAuthorized } from '../subscriptions/while-authorized.ts';
import { logBatches } from './log-feed.ts';
import { LogBatch, LogPage } from './log-line.type.ts';
import { DEFAULT_LOG_PAGE, logPage } from './run-logs.service.ts';

interface SubscriptionArgs {
  args: Record<string, unknown>;
  context: ApiContext;
}

/** A run's log: paged over HTTP, streamed over WebSocket. */
@Resolver(() => Run)
export class RunLogsResolver {
  @FieldResolver(() => LogPage, {
    description:
      'Log lines after seq `after` (`first` of them, 1 to 500, default 100), or the newest `last`.',
    complexity: ({ args, childComplexity }) =>
      1 + childComplexity * Number(args.first ?? args.last ?? DEFAULT_LOG_PAGE),
  })
  logs(
    @Root() run: Run,
    @Arg('after', () => Int, { nullable: true }) after: number | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('last', () => Int, { nullable: true }) last: number | null,
    @Ctx() { db }: ApiContext,
  ): Promise<LogPage> {
    // An argument left out arrives as undefined, one passed as null as null: the same to us.
    return logPage(db, run.id, { after: after ?? null, first: first ?? null, last: last ?? null });
  }

  @Authorized('VIEWER')
  @Subscription(() => LogBatch, {
    description: 'Log lines after `afterSeq`: those stored, then each new batch. Resumable.',
    subscribe: ({ args, context }: SubscriptionArgs) =>
      whileAuthorized(
        context,
        logBatches(context.db, context.changes, String(args.runId), Number(args.afterSeq)),
      ),
  })
  logsAppended(
    @Root() batch: LogBatch,
    @Arg('runId', () => ID) _runId: string,
    @Arg('afterSeq', () => Int, { defaultValue: 0 }) _afterSeq: number,
  ): LogBatch {
    return batch;
  }
}
