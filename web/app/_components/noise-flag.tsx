import { isBeyondBound } from '../../lib/noise.ts';

/**
 * Marks an efficiency above 1: a speedup past its bound cannot be real, so the figure is within
 * the measurement's noise, not a win.
 */
export function NoiseFlag({ efficiency }: { efficiency: number }) {
  if (!isBeyondBound(efficiency)) return null;
  return (
    <span
      className="noise-flag"
      data-testid="noise-flag"
      title="Above 1: the speedup exceeds its bound, which cannot happen; the difference is measurement noise."
    >
      noise
    </span>
  );
}
