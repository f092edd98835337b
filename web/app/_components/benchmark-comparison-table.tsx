import type { ReactNode } from 'react';
import type { BenchmarkRow } from '../../lib/benchmarks.ts';
import type { ComparedRun } from '../../lib/compare.ts';
import { formatMetric } from '../../lib/format.ts';
import { RunColumns } from './compare-tables.tsx';
import { DeviceLabel } from './device-label.tsx';

type Cell = (row: BenchmarkRow) => ReactNode;

const number = (value: number | null) =>
  value === null ? <span className="muted">—</span> : formatMetric(value);

const ROWS: { label: string; cell: Cell }[] = [
  { label: 'Device', cell: (row) => <DeviceLabel device={row.device} /> },
  { label: 'Batch × prompt + generated', cell: (r) => `${r.batch} × ${r.promptLen} + ${r.genLen}` },
  { label: 'Weights', cell: (row) => row.dtype ?? <span className="muted">—</span> },
  { label: 'Prefill tok/s', cell: (row) => number(row.prefillTokS) },
  { label: 'Decode tok/s', cell: (row) => number(row.decodeTokS) },
  { label: 'Decode p50 ms', cell: (row) => number(row.decodeP50Ms) },
  { label: 'Decode p95 ms', cell: (row) => number(row.decodeP95Ms) },
  { label: 'Speedup', cell: (row) => number(row.speedup) },
  { label: 'Bound', cell: (row) => number(row.bound) },
  { label: 'Efficiency', cell: (row) => number(row.efficiency) },
];

interface BenchmarkComparisonTableProps {
  runs: ComparedRun[];
  latest: Map<string, BenchmarkRow | null>;
}

/** Each run's latest benchmark row, aligned like the config and metrics tables. */
export function BenchmarkComparisonTable({ runs, latest }: BenchmarkComparisonTableProps) {
  return (
    <div className="table-scroll">
      <table className="data-table compare-table" data-testid="benchmark-comparison">
        <thead>
          <tr>
            <th scope="col">Latest benchmark</th>
            <RunColumns runs={runs} />
          </tr>
        </thead>
        <tbody>
          {ROWS.map(({ label, cell }) => (
            <tr key={label} data-testid="benchmark-row" data-label={label}>
              <th scope="row">{label}</th>
              {runs.map((run) => {
                const row = latest.get(run.id);
                return (
                  <td key={run.id} className="numeric">
                    {row == null ? <span className="muted">—</span> : cell(row)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
