import type { RunStatus } from '../../lib/runs.ts';

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className="status-badge" data-status={status} data-testid="run-status">
      {status.toLowerCase()}
    </span>
  );
}
