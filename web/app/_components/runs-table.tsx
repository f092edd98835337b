import Link from 'next/link';
import { formatGflops, formatRunDuration, formatTimestamp, shortId } from '../../lib/format.ts';
import { metricValue, type RunSummary } from '../../lib/runs.ts';
import { DeviceLabel } from './device-label.tsx';
import { ProgressMeter } from './progress-meter.tsx';
import { StatusBadge } from './status-badge.tsx';

export function RunsTable({ runs, now }: { runs: RunSummary[]; now: number }) {
  return (
    <table className="data-table" data-testid="runs-table">
      <thead>
        <tr>
          <th>
            <span className="visually-hidden">Compare</span>
          </th>
          <th>Run</th>
          <th>Kind / name</th>
          <th>Status</th>
          <th>Progress</th>
          <th className="numeric">GFLOP/s</th>
          <th>Device</th>
          <th>Queued</th>
          <th className="numeric">Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <RunRow key={run.id} run={run} now={now} />
        ))}
      </tbody>
    </table>
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
      <td>
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
      <td className="numeric">{formatRunDuration(run.startedAt, run.finishedAt, now)}</td>
    </tr>
  );
}
