import type { BenchmarkRow } from '../../lib/benchmarks.ts';
import { formatCellMetric } from '../../lib/format.ts';
import { DeviceLabel } from './device-label.tsx';
import { NoiseFlag } from './noise-flag.tsx';

const dash = <span className="muted">—</span>;

function figure(value: number | null) {
  return value === null ? dash : formatCellMetric(value);
}

/** A run's benchmark rows: throughput, latency and speedup against its bound, newest first. */
export function RunBenchmarks({ rows }: { rows: BenchmarkRow[] }) {
  return (
    <>
      <h2>Benchmarks</h2>
      <div className="table-scroll">
        <table className="data-table compact-table" data-testid="run-benchmarks">
          <thead>
            <tr>
              <th>Batch × prompt + generated</th>
              <th>Weights</th>
              <th className="numeric">Prefill tok/s</th>
              <th className="numeric">Decode tok/s</th>
              <th className="numeric">p50 / p95 ms</th>
              <th className="numeric">Speedup</th>
              <th className="numeric">Bound</th>
              <th className="numeric">Efficiency</th>
              <th>Device</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i} data-testid="run-benchmark-row">
                <td className="numeric">
                  {row.batch} × {row.promptLen} + {row.genLen}
                </td>
                <td>{row.dtype ?? dash}</td>
                <td className="numeric">{formatCellMetric(row.prefillTokS)}</td>
                <td className="numeric" data-column="decodeTokS">
                  {formatCellMetric(row.decodeTokS)}
                </td>
                <td className="numeric">
                  {figure(row.decodeP50Ms)} / {figure(row.decodeP95Ms)}
                </td>
                <td className="numeric">{figure(row.speedup)}</td>
                <td className="numeric">{figure(row.bound)}</td>
                <td className="numeric" data-column="efficiency">
                  {figure(row.efficiency)}
                  {row.efficiency !== null && <NoiseFlag efficiency={row.efficiency} />}
                </td>
                <td>
                  <DeviceLabel device={row.device} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
