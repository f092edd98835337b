import Link from 'next/link';
import { formatJsonValue } from '../../lib/config-summary.ts';
import type { RunComparison } from '../../lib/compare.ts';
import { formatMetric, shortId } from '../../lib/format.ts';
import { DeviceLabel } from './device-label.tsx';
import { StatusBadge } from './status-badge.tsx';

/** The header row every comparison table shares: one column per run, in the order asked. */
export function RunColumns({ runs }: { runs: RunComparison['runs'] }) {
  return (
    <>
      {runs.map((run) => (
        <th key={run.id} scope="col" data-run-id={run.id}>
          <Link href={`/runs/${run.id}`} prefetch={false} className="run-id" title={run.id}>
            {shortId(run.id)}
          </Link>
          <span className="run-name">{run.name}</span>
        </th>
      ))}
    </>
  );
}

export function ComparedRunsTable({ runs }: { runs: RunComparison['runs'] }) {
  return (
    <div className="table-scroll">
      <table className="data-table compare-table" data-testid="compared-runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <RunColumns runs={runs} />
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Kind</th>
            {runs.map((run) => (
              <td key={run.id}>{run.kind}</td>
            ))}
          </tr>
          <tr>
            <th scope="row">Status</th>
            {runs.map((run) => (
              <td key={run.id}>
                <StatusBadge status={run.status} />
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Device</th>
            {runs.map((run) => (
              <td key={run.id}>
                <DeviceLabel device={run.device} />
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

export function ConfigComparisonTable({ comparison }: { comparison: RunComparison }) {
  return (
    <div className="table-scroll">
      <table className="data-table compare-table" data-testid="config-comparison">
        <thead>
          <tr>
            <th scope="col">Config key</th>
            <RunColumns runs={comparison.runs} />
          </tr>
        </thead>
        <tbody>
          {comparison.config.map((row) => (
            <tr
              key={row.key}
              data-testid="config-row"
              data-key={row.key}
              data-differs={row.differs}
              className={row.differs ? 'differs' : undefined}
            >
              <th scope="row" className="config-key">
                {row.key}
              </th>
              {row.values.map((value, i) => (
                <td key={comparison.runs[i]?.id ?? i} className="config-value">
                  {value === null ? <span className="muted">—</span> : formatJsonValue(value)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MetricComparisonTable({ comparison }: { comparison: RunComparison }) {
  return (
    <div className="table-scroll">
      <table className="data-table compare-table" data-testid="metric-comparison">
        <thead>
          <tr>
            <th scope="col">Metric (latest)</th>
            <RunColumns runs={comparison.runs} />
          </tr>
        </thead>
        <tbody>
          {comparison.metrics.map((row) => (
            <tr key={row.key} data-testid="metric-row" data-key={row.key}>
              <th scope="row">{row.key}</th>
              {row.values.map((value, i) => (
                <td
                  key={comparison.runs[i]?.id ?? i}
                  className="numeric"
                  title={value === null ? undefined : String(value)}
                >
                  {value === null ? <span className="muted">—</span> : formatMetric(value)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
