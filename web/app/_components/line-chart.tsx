import { extentOf, linearScale, niceTicks, padFlat } from '../../lib/chart-scale.ts';
import { formatMetric } from '../../lib/format.ts';
import type { SeriesPoint } from '../../lib/series.ts';
import { ChartAxes, DEFAULT_PLOT } from './chart-axes.tsx';

export interface ChartLine {
  /** What the legend calls the line: a run, or the metric itself. */
  label: string;
  color: string;
  points: SeriesPoint[];
  /** Points stored before the server downsampled them. */
  totalPoints: number;
  /** Set on the line's element, so a line can be told apart in the page. */
  runId?: string;
}

/** Markers (with hover titles) only when a line is sparse enough for them not to blur it. */
const MAX_MARKED_POINTS = 60;

/**
 * Metric values over steps as an SVG drawn on the server: each line's downsampled points, and
 * where buckets merged several points, the band between their min and max so spikes stay visible.
 */
export function LineChart({ title, lines }: { title: string; lines: ChartLine[] }) {
  const drawn = lines.filter((line) => line.points.length > 0);
  const steps = extentOf(drawn.flatMap((line) => line.points.map((point) => point.step)));
  const values = extentOf(drawn.flatMap((line) => line.points.flatMap((p) => [p.min, p.max])));
  if (steps === null || values === null) {
    return (
      <figure className="chart chart-empty" data-testid="metric-chart" data-metric={title}>
        <figcaption>{title}</figcaption>
        <p className="muted">No points recorded.</p>
      </figure>
    );
  }
  const area = DEFAULT_PLOT;
  const xDomain = padFlat(steps);
  const yDomain = padFlat(values);
  const x = linearScale(xDomain, { from: area.left, to: area.right });
  const y = linearScale(yDomain, { from: area.bottom, to: area.top });
  const shown = drawn.reduce((sum, line) => sum + line.points.length, 0);
  const stored = drawn.reduce((sum, line) => sum + line.totalPoints, 0);

  return (
    <figure className="chart" data-testid="metric-chart" data-metric={title}>
      <figcaption>
        {title}{' '}
        <span className="muted">
          {shown === stored
            ? `${stored} ${stored === 1 ? 'point' : 'points'}`
            : `${shown} of ${stored} points (downsampled)`}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${area.width} ${area.height}`}
        role="img"
        aria-label={`${title} over steps`}
      >
        <ChartAxes
          area={area}
          x={{ ticks: niceTicks(xDomain), scale: x, label: 'step' }}
          y={{ ticks: niceTicks(yDomain), scale: y, label: title }}
        />
        {drawn.map((line) => (
          <g
            key={line.label}
            data-testid="chart-line"
            data-run-id={line.runId}
            data-label={line.label}
          >
            {line.points.some((point) => point.min !== point.max) && (
              <polygon
                className="chart-band"
                fill={line.color}
                points={[
                  ...line.points.map((point) => `${x(point.step)},${y(point.max)}`),
                  ...line.points.toReversed().map((point) => `${x(point.step)},${y(point.min)}`),
                ].join(' ')}
              />
            )}
            <polyline
              className="chart-line"
              stroke={line.color}
              data-testid="chart-polyline"
              data-steps={line.points.map((point) => point.step).join(',')}
              points={line.points.map((point) => `${x(point.step)},${y(point.value)}`).join(' ')}
            />
            {line.points.length <= MAX_MARKED_POINTS &&
              line.points.map((point) => (
                <circle
                  key={point.step}
                  className="chart-marker"
                  fill={line.color}
                  cx={x(point.step)}
                  cy={y(point.value)}
                  r={2.5}
                >
                  <title>{`${line.label} · step ${point.step}: ${formatMetric(point.value)}`}</title>
                </circle>
              ))}
          </g>
        ))}
      </svg>
      {lines.length > 1 && <ChartLegend lines={lines} />}
    </figure>
  );
}

function ChartLegend({ lines }: { lines: ChartLine[] }) {
  return (
    <ul className="chart-legend">
      {lines.map((line) => (
        <li key={line.label}>
          <span className="chart-swatch" style={{ background: line.color }} />
          {line.label}
          {line.points.length === 0 && <span className="muted"> (no points)</span>}
        </li>
      ))}
    </ul>
  );
}
