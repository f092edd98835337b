'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { retryAction, type ActionState } from '../runs/[id]/actions.ts';
import type { RunStatus } from '../../lib/runs.ts';

const IDLE: ActionState = { error: null };

/**
 * Another run of this experiment, through the API's retryRun: it queues a new run of a failed or
 * cancelled run's experiment (the API has no mutation that queues another run of one still going
 * or succeeded; clone and edit on a run's page queues a new experiment instead). The API decides
 * who may: a viewer's key gets its refusal shown here.
 */
export function ExperimentActions({
  latestRunId,
  latestStatus,
}: {
  latestRunId: string;
  latestStatus: RunStatus;
}) {
  const [state, retry, retrying] = useActionState(retryAction.bind(null, latestRunId), IDLE);
  const canQueue = latestStatus === 'FAILED' || latestStatus === 'CANCELLED';
  return (
    <section className="run-actions" aria-label="Actions">
      {canQueue ? (
        <form action={retry} className="action-row">
          <button type="submit" disabled={retrying} data-testid="queue-another-run">
            {retrying ? 'Queueing…' : 'Queue another run'}
          </button>
          <span className="muted">its latest run was {latestStatus.toLowerCase()}</span>
        </form>
      ) : (
        <p className="muted" data-testid="queue-another-note">
          Another run can be queued once the latest has failed or been cancelled. To run it again
          with changes, use{' '}
          <Link href={`/runs/${latestRunId}`} prefetch={false}>
            clone and edit on its latest run
          </Link>
          .
        </p>
      )}
      {state.error !== null && (
        <p className="form-error" role="alert" data-testid="action-error">
          {state.error}
        </p>
      )}
    </section>
  );
}
