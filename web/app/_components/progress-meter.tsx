import { formatPercent } from '../../lib/format.ts';

export function ProgressMeter({ fraction }: { fraction: number }) {
  return (
    <span className="progress-meter">
      <progress value={fraction} max={1} />
      <span className="numeric">{formatPercent(fraction)}</span>
    </span>
  );
}
