import Link from 'next/link';
import { formatGflops, formatRunDuration, formatTimestamp, shortId } from '../../lib/format.ts';
import { metricValue, type RunSummary } from '../../lib/runs.ts';
import { runsSortLink, type RunsQuery } from '../../lib/runs-query.ts';
import { DeviceLabel } from './device-label.tsx';
import { ProgressMeter } from './progress-meter.tsx';
import { SortHeader } from './sort-header.tsx';
import { StatusBadge } from './status-badge.tsx';

export function RunsTable({
  runs,
  now,
  query,
}: {
  runs: RunSummary[];
  now: number;
  query: RunsQuery;
}) {
  return (
    <div className="table-scroll">
      <table className="data-table compact-table" data-testid="runs-table">
        <thead>
          <tr>
            <th>
              <span className="visually-hidden">Compare</span>
            </th>
            <th>Run</th>
            <th>Kind / name</th>
            <th>Status</th>
            <SortHeader label="Progress" {...runsSortLink(query, 'progress')} />
            <SortHeader label="GFLOP/s" numeric {...runsSortLink(query, 'metric:gflops')} />
            <th>Device</th>
            <SortHeader label="Queued" {...runsSortLink(query, 'queued')} />
            <SortHeader label="Finished" numeric {...runsSortLink(query, 'finished')} />
            <th className="numeric">Duration</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRow key={run.id} run={run} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunRow({ run, now }: { run: RunSummary; now: number }) {
  return (
    <tr data-testid="run-row" data-run-id={run.id}>
      <td>
        <input
          type="checkbox"
          name="runs"
          value={run.id}
          aria-label={`Compare run ${shortId(run.id)}`}
          data-testid="compare-checkbox"
        />
      </td>
      <td>
        {/* Prefetching every row would re-request each run page on every live refresh. */}
        <Link href={`/runs/${run.id}`} prefetch={false} className="run-id" title={run.id}>
          {shortId(run.id)}
        </Link>
      </td>
      <td className="kind-name" title={run.name}>
        <span className="run-kind">{run.kind}</span>
        <span className="run-name">{run.name}</span>
      </td>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td>
        <ProgressMeter fraction={run.progress} />
      </td>
      <td className="numeric" data-testid="run-gflops">
        {formatGflops(metricValue(run, 'gflops'))}
      </td>
      <td>
        <DeviceLabel device={run.device} />
      </td>
      <td className="numeric">
        <time dateTime={run.queuedAt}>{formatTimestamp(run.queuedAt)}</time>
      </td>
      <td className="numeric">
        {run.finishedAt === null ? (
          <span className="muted">—</span>
        ) : (
          <time dateTime={run.finishedAt}>{formatTimestamp(run.finishedAt)}</time>
        )}
      </td>
      <td className="numeric">{formatRunDuration(run.startedAt, run.finishedAt, now)}</td>
    </tr>
  );
}
