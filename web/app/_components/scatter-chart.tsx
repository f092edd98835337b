import { extentOf, linearScale, niceTicks, padExtent } from '../../lib/chart-scale.ts';
import { formatMetric } from '../../lib/format.ts';
import { paretoFront } from '../../lib/pareto.ts';
import { ChartAxes, DEFAULT_PLOT } from './chart-axes.tsx';

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

/** Points on two metrics, drawn on the server, each a link; the Pareto front joined by a line. */
export function ScatterChart({ points, xLabel, yLabel, lowerYIsBetter }: ScatterChartProps) {
  const xs = extentOf(points.map((point) => point.x));
  const ys = extentOf(points.map((point) => point.y));
  if (xs === null || ys === null) return null;
  const area = DEFAULT_PLOT;
  const xDomain = padExtent(xs, 0.05);
  const yDomain = padExtent(ys, 0.08);
  const x = linearScale(xDomain, { from: area.left, to: area.right });
  const y = linearScale(yDomain, { from: area.bottom, to: area.top });
  const front = paretoFront(points, lowerYIsBetter);
  const onFront = new Set(front.map((point) => point.id));

  return (
    <svg
      viewBox={`0 0 ${area.width} ${area.height}`}
      role="img"
      aria-label={`${yLabel} against ${xLabel}`}
      data-testid="scatter-chart"
    >
      <ChartAxes
        area={area}
        x={{ ticks: niceTicks(xDomain), scale: x, label: xLabel }}
        y={{ ticks: niceTicks(yDomain), scale: y, label: yLabel }}
      />
      {front.length > 1 && (
        <polyline
          className="chart-front"
          points={front.map((point) => `${x(point.x)},${y(point.y)}`).join(' ')}
        />
      )}
      {points.map((point) => (
        <a key={point.id} href={point.href}>
          <circle
            className={onFront.has(point.id) ? 'scatter-point on-front' : 'scatter-point'}
            data-testid="scatter-point"
            data-run-id={point.id}
            cx={x(point.x)}
            cy={y(point.y)}
            r={5}
          >
            <title>
              {`${point.label}: ${xLabel} ${formatMetric(point.x)}, ${yLabel} ${formatMetric(point.y)}`}
            </title>
          </circle>
        </a>
      ))}
    </svg>
  );
}
