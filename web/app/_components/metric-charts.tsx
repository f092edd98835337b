import { seriesColor } from '../../lib/chart-palette.ts';
import { shortId } from '../../lib/format.ts';
import { chartGroups } from '../../lib/metric-groups.ts';
import { MAX_CHARTS, type MetricSeries } from '../../lib/series.ts';
import { LineChart } from './line-chart.tsx';

/** Says which metrics have no chart, rather than drop them silently. */
function ChartNote({ charted, curves }: { charted: number; curves: number }) {
  if (curves <= charted) return null;
  return (
    <p className="muted chart-note">
      Drawing the first {charted} of {curves} charts of metrics with more than one point; the table
      lists every metric.
    </p>
  );
}

/**
 * A run's curves grouped as chartGroups says (losses together, one chart per per-layer key with a
 * line per layer, then the rest), for the series given (those with a curve).
 */
export function RunMetricCharts({ series }: { series: MetricSeries[] }) {
  const byKey = new Map(series.map((one) => [one.key, one]));
  const groups = chartGroups(series.map((one) => one.key));
  const charted = groups.slice(0, MAX_CHARTS);
  if (charted.length === 0) return null;
  return (
    <>
      <div className="chart-grid" data-testid="run-charts">
        {charted.map((group) => (
          <LineChart
            key={group.title}
            title={group.title}
            lines={group.lines.map((line, i) => {
              const one = byKey.get(line.key)!;
              return {
                label: line.label,
                metricKey: line.key,
                color: seriesColor(i),
                points: one.points,
                totalPoints: one.totalPoints,
              };
            })}
          />
        ))}
      </div>
      <ChartNote charted={charted.length} curves={groups.length} />
    </>
  );
}

interface ComparedChartsProps {
  runs: { id: string; name: string }[];
  /** The metric keys to chart (those with a curve in some run). */
  keys: string[];
  seriesByRun: Map<string, MetricSeries[]>;
}

/** One chart per metric key with every compared run's curve overlaid, in the runs' colors. */
export function ComparedMetricCharts({ runs, keys, seriesByRun }: ComparedChartsProps) {
  const charted = keys.slice(0, MAX_CHARTS);
  if (charted.length === 0) return null;
  return (
    <>
      <div className="chart-grid" data-testid="compare-charts">
        {charted.map((key) => (
          <LineChart
            key={key}
            title={key}
            lines={runs.map((run, i) => {
              const series = seriesByRun.get(run.id)?.find((one) => one.key === key);
              return {
                label: `${shortId(run.id)} ${run.name}`,
                color: seriesColor(i),
                points: series?.points ?? [],
                totalPoints: series?.totalPoints ?? 0,
                runId: run.id,
                metricKey: key,
              };
            })}
          />
        ))}
      </div>
      <ChartNote charted={charted.length} curves={keys.length} />
    </>
  );
}
