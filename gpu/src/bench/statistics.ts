/** The largest of `values` (a benchmark's best trial, when the values are rates). */
export function best(values: readonly number[]): number {
  if (values.length === 0) throw new Error('best: no values');
  return Math.max(...values);
}

/** The middle value, or the mean of the two middle values when there is an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `trial` `trials` times, one after another, and returns each one's wall-clock seconds. */
export async function timeTrials(trials: number, trial: () => Promise<void>): Promise<number[]> {
  const seconds: number[] = [];
  for (let index = 0; index < trials; index++) {
    const started = performance.now();
    await trial();
    seconds.push((performance.now() - started) / 1e3);
  }
  return seconds;
}

/** GFLOP/s of `flops` floating-point operations done in `seconds`. */
export function gflops(flops: number, seconds: number): number {
  return flops / seconds / 1e9;
}
