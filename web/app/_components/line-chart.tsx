import type { SeriesPoint } from '../../lib/series.ts';
import { EChartsLines } from './echarts-lines.tsx';

export interface ChartLine {
  /** What the legend calls the line: a run, a layer, or the metric itself. */
  label: string;
  color: string;
  points: SeriesPoint[];
  /** Points stored before the server downsampled them. */
  totalPoints: number;
  /** Set on the line's element, so a line can be told apart in the page. */
  runId?: string;
  /** The metric key the line plots. */
  metricKey?: string;
}

/**
 * Metric values over steps: a figure whose caption says how many points were drawn of how many
 * stored, the chart itself drawn by ECharts. Each line's steps are also written into the page
 * (`data-steps`), which is what the browser tests compare with the API.
 */
export function LineChart({ title, lines }: { title: string; lines: ChartLine[] }) {
  const drawn = lines.filter((line) => line.points.length > 0);
  if (drawn.length === 0) {
    return (
      <figure className="chart chart-empty" data-testid="metric-chart" data-metric={title}>
        <figcaption>{title}</figcaption>
        <p className="muted">No points recorded.</p>
      </figure>
    );
  }
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
      <EChartsLines
        lines={lines.map(({ label, color, points }) => ({ label, color, points }))}
        ariaLabel={`${title} over steps`}
      />
      <ul hidden>
        {lines.map((line) => (
          <li
            key={line.label}
            data-testid="chart-line"
            data-run-id={line.runId}
            data-label={line.label}
            data-key={line.metricKey}
            data-steps={line.points.map((point) => point.step).join(',')}
          />
        ))}
      </ul>
    </figure>
  );
}
