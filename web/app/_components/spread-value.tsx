import { formatCellMetric } from '../../lib/format.ts';
import type { Spread } from '../../lib/noise.ts';
import { NoiseFlag } from './noise-flag.tsx';

/**
 * A figure measured several times: the mean, then ± half its range and how many runs it is over;
 * a single measurement as it is. Efficiency past 1 is flagged as noise.
 */
export function SpreadValue({ spread, metricKey }: { spread: Spread; metricKey: string }) {
  const title =
    spread.count > 1
      ? `mean of ${spread.count} runs; min ${spread.min}, max ${spread.max}, sd ${spread.stdDev.toPrecision(3)}`
      : String(spread.mean);
  return (
    <span
      className="spread-value"
      title={title}
      data-testid="spread-value"
      data-count={spread.count}
    >
      {formatCellMetric(spread.mean)}
      {spread.count > 1 && (
        <span className="spread">
          {' '}
          ±{formatCellMetric((spread.max - spread.min) / 2)}{' '}
          <span className="muted">
            ({Math.round(spread.relativeRange * 100)}%, n={spread.count})
          </span>
        </span>
      )}
      {metricKey === 'efficiency' && <NoiseFlag efficiency={spread.mean} />}
    </span>
  );
}
