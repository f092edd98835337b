import Link from 'next/link';
import { Fragment, type ReactNode } from 'react';
import { formatGflops, formatRunDuration, formatTimestamp, shortId } from '../../lib/format.ts';
import { metricValue, type RunSummary } from '../../lib/runs.ts';
import type { RunColumn } from '../../lib/runs-columns.ts';
import { runsSortLink, type RunsQuery } from '../../lib/runs-query.ts';
import { DeviceLabel } from './device-label.tsx';
import { ProgressMeter } from './progress-meter.tsx';
import { SortHeader } from './sort-header.tsx';
import { StatusBadge } from './status-badge.tsx';

/** Each optional column's header (sortable where the API sorts by it) and cell. */
const COLUMNS: Record<
  RunColumn,
  {
    header: (query: RunsQuery) => ReactNode;
    cell: (run: RunSummary, now: number) => ReactNode;
  }
> = {
  kind: {
    header: () => <th scope="col">Kind / name</th>,
    cell: (run) => (
      <td className="kind-name" title={run.name}>
        <span className="run-kind">{run.kind}</span>
        <span className="run-name">{run.name}</span>
      </td>
    ),
  },
  status: {
    header: () => <th scope="col">Status</th>,
    cell: (run) => (
      <td>
        <StatusBadge status={run.status} />
      </td>
    ),
  },
  progress: {
    header: (query) => <SortHeader label="Progress" {...runsSortLink(query, 'progress')} />,
    cell: (run) => (
      <td>
        <ProgressMeter fraction={run.progress} />
      </td>
    ),
  },
  gflops: {
    header: (query) => (
      <SortHeader label="GFLOP/s" numeric {...runsSortLink(query, 'metric:gflops')} />
    ),
    cell: (run) => (
      <td className="numeric" data-testid="run-gflops">
        {formatGflops(metricValue(run, 'gflops'))}
      </td>
    ),
  },
  device: {
    header: () => <th scope="col">Device</th>,
    cell: (run) => (
      <td>
        <DeviceLabel device={run.device} />
      </td>
    ),
  },
  queued: {
    header: (query) => <SortHeader label="Queued" {...runsSortLink(query, 'queued')} />,
    cell: (run) => (
      <td className="numeric">
        <time dateTime={run.queuedAt}>{formatTimestamp(run.queuedAt)}</time>
      </td>
    ),
  },
  finished: {
    header: (query) => <SortHeader label="Finished" numeric {...runsSortLink(query, 'finished')} />,
    cell: (run) => (
      <td className="numeric">
        {run.finishedAt === null ? (
          <span className="muted">—</span>
        ) : (
          <time dateTime={run.finishedAt}>{formatTimestamp(run.finishedAt)}</time>
        )}
      </td>
    ),
  },
  duration: {
    header: () => (
      <th scope="col" className="numeric">
        Duration
      </th>
    ),
    cell: (run, now) => (
      <td className="numeric">{formatRunDuration(run.startedAt, run.finishedAt, now)}</td>
    ),
  },
};

/** The runs, one row each: the compare box and the id, then the columns the query chose. */
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
      <table
        className="data-table compact-table"
        data-testid="runs-table"
        data-columns={query.columns.join(',')}
      >
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Compare</span>
            </th>
            <th scope="col">Run</th>
            {query.columns.map((column) => (
              <Fragment key={column}>{COLUMNS[column].header(query)}</Fragment>
            ))}
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRow key={run.id} run={run} now={now} columns={query.columns} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunRow({ run, now, columns }: { run: RunSummary; now: number; columns: RunColumn[] }) {
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
      {columns.map((column) => (
        <Fragment key={column}>{COLUMNS[column].cell(run, now)}</Fragment>
      ))}
    </tr>
  );
}
