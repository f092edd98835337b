import { ApiErrorPanel } from '../../_components/api-error-panel.tsx';
import { loadOrError } from '../../../lib/graphql.ts';
import { fetchRunLogTail, RUN_LOG_LINES_SHOWN } from '../../../lib/run-logs.ts';
import { RunLogsPanel } from './run-logs-panel.tsx';

/** The run page's Logs section: its newest lines, then new ones streamed while it runs. */
export async function RunLogs({ runId, active }: { runId: string; active: boolean }) {
  const { data: lines, error, retryable } = await loadOrError(fetchRunLogTail(runId));
  return (
    <section aria-labelledby="run-logs-heading">
      <h2 id="run-logs-heading">Logs</h2>
      {error !== undefined ? (
        <ApiErrorPanel message={error} retrying={retryable} />
      ) : (
        <RunLogsPanel
          runId={runId}
          initialLines={lines ?? []}
          active={active}
          keep={RUN_LOG_LINES_SHOWN}
        />
      )}
    </section>
  );
}
