'use client';

import { useActionState } from 'react';
import { cancelAction, cloneAction, retryAction, type ActionState } from '../runs/[id]/actions.ts';
import type { RunStatus } from '../../lib/runs.ts';

const IDLE: ActionState = { error: null };

/**
 * Cancel (queued or running), retry (failed or cancelled) and clone with an edited config. The
 * API decides who may: a viewer's key gets its refusal shown here.
 */
export function RunActions({
  runId,
  status,
  config,
  name,
}: {
  runId: string;
  status: RunStatus;
  config: unknown;
  name: string;
}) {
  const [cancelState, cancel, cancelling] = useActionState(cancelAction.bind(null, runId), IDLE);
  const [retryState, retry, retrying] = useActionState(retryAction.bind(null, runId), IDLE);
  const [cloneState, clone, cloning] = useActionState(cloneAction.bind(null, runId), IDLE);
  const canCancel = status === 'QUEUED' || status === 'RUNNING';
  const canRetry = status === 'FAILED' || status === 'CANCELLED';
  const error = cancelState.error ?? retryState.error;
  return (
    <section className="run-actions" aria-label="Actions">
      <div className="action-row">
        {canCancel && (
          <form action={cancel}>
            <button
              type="submit"
              className="button-secondary"
              disabled={cancelling}
              data-testid="cancel-run"
            >
              {cancelling ? 'Cancelling…' : 'Cancel run'}
            </button>
          </form>
        )}
        {canRetry && (
          <form action={retry}>
            <button type="submit" disabled={retrying} data-testid="retry-run">
              {retrying ? 'Queueing…' : 'Retry'}
            </button>
          </form>
        )}
      </div>
      {error !== null && (
        <p className="form-error" role="alert" data-testid="action-error">
          {error}
        </p>
      )}
      <details className="clone-editor">
        <summary data-testid="clone-toggle">Clone and edit</summary>
        <form action={clone}>
          <label>
            Name
            <input name="name" defaultValue={`${name} (clone)`} />
          </label>
          <label>
            Config
            <textarea
              name="config"
              rows={Math.min(24, JSON.stringify(config, null, 2).split('\n').length + 1)}
              defaultValue={JSON.stringify(config, null, 2)}
              spellCheck={false}
              data-testid="clone-config"
            />
          </label>
          {cloneState.error !== null && (
            <p className="form-error" role="alert" data-testid="clone-error">
              {cloneState.error}
            </p>
          )}
          <button type="submit" disabled={cloning} data-testid="clone-run">
            {cloning ? 'Queueing…' : 'Queue the clone'}
          </button>
        </form>
      </details>
    </section>
  );
}
