import { decodeBars, formatTokS, type DecodeBar } from '../../lib/decode-bars.ts';
import type { RunComparison } from '../../lib/compare.ts';
import { formatMetric } from '../../lib/format.ts';
import { DecodeBarsChart } from './decode-bars-chart.tsx';

function speedup(bar: DecodeBar): string {
  return bar.denseDecodeTokS === null || bar.denseDecodeTokS === 0
    ? '—'
    : `${formatMetric(bar.decodeTokS / bar.denseDecodeTokS)}x`;
}

/**
 * Decode speed of the compared runs that measured one, each beside its dense model's measured in
 * the same run on the same device (a factorised run's only fair baseline); nothing when none did.
 */
export function DecodeSpeeds({ comparison }: { comparison: RunComparison }) {
  const bars = decodeBars(comparison);
  if (bars.length === 0) return null;
  return (
    <section data-testid="decode-speeds">
      <h2>Decode speed</h2>
      <figure className="chart">
        <figcaption>
          Decode tokens/s <span className="muted">dense measured in the same run, same device</span>
        </figcaption>
        <DecodeBarsChart bars={bars} />
        <div className="table-scroll">
          <table className="data-table compact-table" data-testid="decode-speed-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col" className="numeric">
                  Dense
                </th>
                <th scope="col" className="numeric">
                  This configuration
                </th>
                <th scope="col" className="numeric">
                  Speedup
                </th>
              </tr>
            </thead>
            <tbody>
              {bars.map((bar) => (
                <tr key={bar.runId} data-testid="decode-speed-row" data-run-id={bar.runId}>
                  <th scope="row">{bar.label}</th>
                  <td className="numeric" data-column="dense">
                    {formatTokS(bar.denseDecodeTokS)}
                  </td>
                  <td className="numeric" data-column="decode">
                    {formatTokS(bar.decodeTokS)}
                  </td>
                  <td className="numeric" data-column="speedup">
                    {speedup(bar)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </figure>
    </section>
  );
}
