import Link from 'next/link';
import { ApiErrorPanel } from '../_components/api-error-panel.tsx';
import { DeviceLabel } from '../_components/device-label.tsx';
import { LiveUpdates } from '../_components/live-updates.tsx';
import { formatTimestamp, shortId } from '../../lib/format.ts';
import { loadOrError } from '../../lib/graphql.ts';
import { fetchWorkers, type WorkerStatus } from '../../lib/workers.ts';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Workers · FactorLab' };

function formatAge(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return `${(seconds / 3600).toFixed(1)} h ago`;
}

export default async function WorkersPage() {
  const { data: workers, error, retryable } = await loadOrError(fetchWorkers());
  if (error !== undefined) {
    return (
      <>
        <h1>Workers</h1>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  const online = workers.filter((worker) => worker.state === 'ONLINE').length;
  return (
    <>
      <h1>
        Workers <span className="muted count">{online} online</span>
      </h1>
      <p className="muted page-lede">
        Processes that lease runs from the queue. Stale: two heartbeats missed; dead: silent past
        its lease (its runs go back to the queue); stopped: ended, most recent first.
      </p>
      {workers.length === 0 ? (
        <p className="panel" data-testid="workers-empty">
          No worker has connected yet: <code>npm start</code> runs one, <code>npx lab worker</code>{' '}
          starts another on any machine that reaches the database.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table compact-table" data-testid="workers-table">
            <thead>
              <tr>
                <th>State</th>
                <th>Worker</th>
                <th>Adapter</th>
                <th>Current run</th>
                <th className="numeric">Heartbeat</th>
                <th className="numeric">Runs</th>
                <th>Started</th>
                <th>Stopped</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((worker) => (
                <WorkerRow key={worker.id} worker={worker} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LiveUpdates active feed={{ workers: true }} />
    </>
  );
}

function WorkerRow({ worker }: { worker: WorkerStatus }) {
  return (
    <tr data-testid="worker-row" data-worker-id={worker.id} data-state={worker.state}>
      <td>
        <span className="status-badge" data-worker-state={worker.state}>
          {worker.state.toLowerCase()}
        </span>
      </td>
      <td>
        <span className="run-id" title={worker.id}>
          {shortId(worker.id)}
        </span>{' '}
        <span className="muted">
          {worker.host} pid {worker.pid}
        </span>
      </td>
      <td>
        <DeviceLabel device={worker.adapter} />
      </td>
      <td>
        {worker.currentRunId === null ? (
          <span className="muted">idle</span>
        ) : (
          <Link href={`/runs/${worker.currentRunId}`} className="run-id" prefetch={false}>
            {shortId(worker.currentRunId)}
          </Link>
        )}
      </td>
      <td className="numeric">{formatAge(worker.heartbeatAgeSeconds)}</td>
      <td className="numeric">{worker.runCount}</td>
      <td className="numeric">{formatTimestamp(worker.startedAt)}</td>
      <td className="numeric" title={worker.exitReason ?? undefined}>
        {formatTimestamp(worker.stoppedAt)}
        {worker.exitReason !== null && (
          <span className="muted exit-reason" data-testid="exit-reason">
            {' '}
            {worker.exitReason}
          </span>
        )}
      </td>
    </tr>
  );
}
