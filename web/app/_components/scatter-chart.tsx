import { formatMetric } from '../../lib/format.ts';
import { paretoFront } from '../../lib/pareto.ts';
import { EChartsScatter } from './echarts-scatter.tsx';

export interface ScatterPoint {
  id: string;
  label: string;
  href: string;
  x: number;
  y: number;
}

interface ScatterChartProps {
  points: ScatterPoint[];
  xLabel: string;
  yLabel: string;
  lowerYIsBetter: boolean;
}

/**
 * Points on two metrics drawn by ECharts, the Pareto front joined by a dashed line; a click on a
 * point opens its run, and the points are also listed as links (keyboard and screen readers).
 */
export function ScatterChart({ points, xLabel, yLabel, lowerYIsBetter }: ScatterChartProps) {
  if (points.length === 0) return null;
  const front = paretoFront(points, lowerYIsBetter);
  const onFront = new Set(front.map((point) => point.id));
  return (
    <>
      <EChartsScatter
        points={points.map((point) => ({ ...point, onFront: onFront.has(point.id) }))}
        front={front.map(({ x, y }) => ({ x, y }))}
        xLabel={xLabel}
        yLabel={yLabel}
      />
      <details className="chart-points">
        <summary>The {points.length} points</summary>
        <ul>
          {points.map((point) => (
            <li
              key={point.id}
              data-testid="scatter-point"
              data-run-id={point.id}
              data-on-front={onFront.has(point.id)}
            >
              <a href={point.href}>{point.label}</a>: {xLabel} {formatMetric(point.x)}, {yLabel}{' '}
              {formatMetric(point.y)}
              {onFront.has(point.id) && <span className="muted"> (on the front)</span>}
            </li>
          ))}
        </ul>
      </details>
    </>
  );
}
