import {
  METRICS_APPENDED_SUBSCRIPTION,
  RUN_UPDATED_SUBSCRIPTION,
  RUNS_CHANGED_SUBSCRIPTION,
} from './live-operations.ts';
import { isRunId } from './runs.ts';

/** One GraphQL subscription a live page follows. */
export interface LiveOperation {
  query: string;
  variables: Record<string, unknown>;
  /** Its first event is the state the page was rendered from: it confirms, it changes nothing. */
  firstEventIsState?: boolean;
}

/**
 * What `/live` follows for a page, from its query string: every run's changes (`/live`), or one
 * run's status and metric points after a step (`/live?run=<id>&afterStep=<n>`). Throws naming the
 * bad parameter and what it should be.
 */
export function liveOperations(params: URLSearchParams): LiveOperation[] {
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

/** `/live`'s address for a page: every run's changes, or one run's from after `afterStep`. */
export function liveFeedHref(run?: { id: string; afterStep: number }): string {
  if (run === undefined) return '/live';
  return `/live?${new URLSearchParams({ run: run.id, afterStep: String(run.afterStep) })}`;
}
