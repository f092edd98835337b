import { formatMetric } from '../../lib/format.ts';
import type { MetricValue } from '../../lib/runs.ts';

export function MetricsTable({ metrics }: { metrics: MetricValue[] }) {
  if (metrics.length === 0) return <p className="muted">No metrics recorded yet.</p>;
  const sorted = [...metrics].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <table className="data-table metrics-table" data-testid="run-metrics">
      <thead>
        <tr>
          <th>Metric</th>
          <th className="numeric">Value</th>
          <th className="numeric">Step</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((metric) => (
          <tr key={metric.key} data-metric={metric.key}>
            <td>{metric.key}</td>
            <td className="numeric" title={String(metric.value)}>
              {formatMetric(metric.value)}
            </td>
            <td className="numeric">{metric.step}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
