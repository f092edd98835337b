import { seriesColor } from '../../lib/chart-palette.ts';
import { shortId } from '../../lib/format.ts';
import { MAX_CHARTS, type MetricSeries } from '../../lib/series.ts';
import { LineChart } from './line-chart.tsx';

/** Says which metrics have no chart, rather than drop them silently. */
function ChartNote({ charted, curves }: { charted: number; curves: number }) {
  if (curves <= charted) return null;
  return (
    <p className="muted chart-note">
      Charting the first {charted} of {curves} metrics that have more than one point; the table
      lists every metric.
    </p>
  );
}

/** One chart per metric of a single run, for the series given (those with a curve). */
export function RunMetricCharts({ series }: { series: MetricSeries[] }) {
  const charted = series.slice(0, MAX_CHARTS);
  if (charted.length === 0) return null;
  return (
    <>
      <div className="chart-grid" data-testid="run-charts">
        {charted.map((one) => (
          <LineChart
            key={one.key}
            title={one.key}
            lines={[
              {
                label: one.key,
                color: seriesColor(0),
                points: one.points,
                totalPoints: one.totalPoints,
              },
            ]}
          />
        ))}
      </div>
      <ChartNote charted={charted.length} curves={series.length} />
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
              };
            })}
          />
        ))}
      </div>
      <ChartNote charted={charted.length} curves={keys.length} />
    </>
  );
}
