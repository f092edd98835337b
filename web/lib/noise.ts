/** An efficiency above 1 means a speedup past its bound: measurement noise, not a real gain. */
export function isBeyondBound(efficiency: number): boolean {
  return efficiency > 1;
}

export interface Spread {
  count: number;
  mean: number;
  min: number;
  max: number;
  /** Sample standard deviation; 0 for a single value. */
  stdDev: number;
  /** (max - min) / mean: how far repeated measurements of one configuration disagree. */
  relativeRange: number;
}

/** Mean and spread of repeated measurements of one figure; null when there are none. */
export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const variance =
    values.length < 2
      ? 0
      : values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return {
    count: values.length,
    mean,
    min,
    max,
    stdDev: Math.sqrt(variance),
    relativeRange: mean === 0 ? 0 : (max - min) / Math.abs(mean),
  };
}
