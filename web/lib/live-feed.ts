import {
  METRICS_APPENDED_SUBSCRIPTION,
  RUN_UPDATED_SUBSCRIPTION,
  RUNS_CHANGED_SUBSCRIPTION,
  RUNS_OF_SET_CHANGED_SUBSCRIPTION,
  SWEEP_RUNS_CHANGED_SUBSCRIPTION,
  WORKERS_CHANGED_SUBSCRIPTION,
} from './live-operations.ts';
import { isRunId } from './runs.ts';

/** One GraphQL subscription a live page follows. */
export interface LiveOperation {
  query: string;
  variables: Record<string, unknown>;
  /** Its first event is the state the page was rendered from: it confirms, it changes nothing. */
  firstEventIsState?: boolean;
}

/** The most runs one page follows by id (the compare page's limit). */
export const MAX_FOLLOWED_RUNS = 50;

/**
 * What a live page follows: every run's changes (none given); one run's status and metric points
 * after a step; a set of runs' status and metric points (compare); a sweep's runs' (sweep); or
 * every worker's heartbeat, state and runs (workers).
 */
export type LiveFeed =
  | { run: { id: string; afterStep: number } }
  | { runIds: readonly string[] }
  | { sweepId: string }
  | { workers: true };

/**
 * What `/live` follows for a page, from its query string: every run's changes (`/live`), one
 * run's status and metric points after a step (`/live?run=<id>&afterStep=<n>`), a set of runs'
 * changes and points (`/live?runs=<id>,<id>`), a sweep's runs' (`/live?sweep=<id>`) or the
 * workers' (`/live?workers`). Throws naming the bad parameter and what it should be.
 */
export function liveOperations(params: URLSearchParams): LiveOperation[] {
  const runIds = params.get('runs');
  if (runIds !== null) {
    const ids = runIds.split(',').filter((id) => id !== '');
    const bad = ids.find((id) => !isRunId(id));
    if (bad !== undefined) {
      throw new Error(`runs: "${bad}" is not a run id: give the runs' full ids (UUIDs)`);
    }
    if (ids.length === 0 || ids.length > MAX_FOLLOWED_RUNS) {
      throw new Error(`runs: give 1 to ${MAX_FOLLOWED_RUNS} run ids, comma-separated`);
    }
    return [{ query: RUNS_OF_SET_CHANGED_SUBSCRIPTION.toString(), variables: { ids } }];
  }
  const sweepId = params.get('sweep');
  if (sweepId !== null) {
    if (!isRunId(sweepId)) {
      throw new Error(`sweep: "${sweepId}" is not a sweep id: give the sweep's full id (a UUID)`);
    }
    return [{ query: SWEEP_RUNS_CHANGED_SUBSCRIPTION.toString(), variables: { sweepId } }];
  }
  if (params.has('workers')) {
    return [{ query: WORKERS_CHANGED_SUBSCRIPTION.toString(), variables: {} }];
  }
  const runId = params.get('run');
  if (runId === null) return [{ query: RUNS_CHANGED_SUBSCRIPTION.toString(), variables: {} }];
  if (!isRunId(runId)) {
    throw new Error(`run: "${runId}" is not a run id: give the run's full id (a UUID)`);
  }
  const afterStepParam = params.get('afterStep') ?? '-1';
  const afterStep = Number(afterStepParam);
  if (!Number.isSafeInteger(afterStep) || afterStep < -1) {
    throw new Error(
      `afterStep: "${afterStepParam}" is not a step: give the last step the page shows, or -1`,
    );
  }
  return [
    {
      query: RUN_UPDATED_SUBSCRIPTION.toString(),
      variables: { id: runId },
      firstEventIsState: true,
    },
    { query: METRICS_APPENDED_SUBSCRIPTION.toString(), variables: { runId, afterStep } },
  ];
}

/** `/live`'s address for a page's feed; every run's changes when none is given. */
export function liveFeedHref(feed?: LiveFeed): string {
  if (feed === undefined) return '/live';
  if ('run' in feed) {
    const { id, afterStep } = feed.run;
    return `/live?${new URLSearchParams({ run: id, afterStep: String(afterStep) })}`;
  }
  if ('runIds' in feed) return `/live?runs=${feed.runIds.join(',')}`;
  if ('sweepId' in feed) return `/live?${new URLSearchParams({ sweep: feed.sweepId })}`;
  return '/live?workers';
}

/**
 * What identifies a feed across re-renders: its address, less a run's step (which moves on with
 * every refresh, and is read afresh on each reconnect instead).
 */
export function liveFeedKey(feed?: LiveFeed): string {
  return feed !== undefined && 'run' in feed ? `/live?run=${feed.run.id}` : liveFeedHref(feed);
}
