import { ExpertLoadHeatmap } from '../../_components/expert-load-heatmap.tsx';
import { formatMetric } from '../../../lib/format.ts';
import type { LayerReport } from '../../../lib/layer-report.ts';

function Figure({ value }: { value: number | null }) {
  return value === null ? <span className="muted">—</span> : <>{formatMetric(value)}</>;
}

/**
 * A factorised model's layers as its run last reported them: router accuracy against the PA
 * label, the MoE FFN's relative error against the dense one, the load entropy against its
 * balanced ln N, and the experts' shares of the router's choices as a heatmap.
 */
export function LayerPanel({ report }: { report: LayerReport }) {
  const { layers, experts } = report;
  const balanced = experts > 0 ? Math.log(experts) : null;
  return (
    <section data-testid="layer-panel">
      <h2>Per layer</h2>
      {experts > 0 && (
        <figure className="chart">
          <figcaption>
            Expert load{' '}
            <span className="muted">
              share of the router&apos;s choices; balanced is 1/{experts}
            </span>
          </figcaption>
          <ExpertLoadHeatmap
            layers={layers.map((row) => row.layer)}
            experts={experts}
            shares={layers.map((row) => row.expertLoad)}
          />
        </figure>
      )}
      <div className="table-scroll">
        <table className="data-table compact-table" data-testid="layer-table">
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col" className="numeric">
                Router accuracy (PA label)
              </th>
              <th scope="col" className="numeric">
                Relative error (dense FFN)
              </th>
              <th scope="col" className="numeric">
                Load entropy{balanced !== null && ` (of ${formatMetric(balanced)})`}
              </th>
              {Array.from({ length: experts }, (_, expert) => (
                <th key={expert} scope="col" className="numeric">
                  Expert {expert}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {layers.map((row) => (
              <tr key={row.layer} data-testid="layer-row" data-layer={row.layer}>
                <th scope="row">{row.layer}</th>
                <td className="numeric" data-column="router-accuracy">
                  <Figure value={row.routerAccuracy} />
                </td>
                <td className="numeric" data-column="rel-error">
                  <Figure value={row.relError} />
                </td>
                <td className="numeric" data-column="load-entropy">
                  <Figure value={row.loadEntropy} />
                </td>
                {row.expertLoad.map((share, expert) => (
                  <td key={expert} className="numeric" data-column={`expert-${expert}`}>
                    {share === null ? (
                      <span className="muted">—</span>
                    ) : (
                      `${(share * 100).toFixed(1)}%`
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
