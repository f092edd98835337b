import { createMatmulRunner } from '../ops/matmul.ts';
import type { MatmulInputType } from '../ops/matmul-shader.ts';
import type { Gpu } from '../runtime/device.ts';
import { randomFloat32Array, seededRandom } from '../util/random.ts';
import { best, gflops, median, timeTrials } from './statistics.ts';

export interface MatmulBenchmarkOptions {
  /** Matmuls per timed trial, all in one command buffer. */
  repeats: number;
  trials: number;
}

export interface MatmulTiming {
  n: number;
  /** Type of A and B. */
  dtype: MatmulInputType;
  /** Type of the products and sums: f32, or f16 (f16 inputs only). */
  compute: MatmulInputType;
  repeats: number;
  trials: number;
  /** Best trial. */
  gflops: number;
  medianGflops: number;
}

/**
 * GFLOP/s of C = A x B at n x n x n with A and B of `dtype`, computed in `compute`: inputs
 * uploaded once, one untimed warm-up (the pipelines compile and the device wakes), then `trials`
 * trials of `repeats` matmuls each (on CPU adapters each includes packing A and B).
 */
export async function timeMatmul(
  gpu: Gpu,
  n: number,
  dtype: MatmulInputType,
  { repeats, trials }: MatmulBenchmarkOptions,
  compute: MatmulInputType = 'f32',
): Promise<MatmulTiming> {
  const runner = await createMatmulRunner(gpu, n, n, n, { dtype, compute });
  try {
    const random = seededRandom(n);
    runner.upload(randomFloat32Array(n * n, random), randomFloat32Array(n * n, random));
    await runner.dispatch();
    const seconds = await timeTrials(trials, () => runner.dispatch(repeats));
    const rates = seconds.map((trial) => gflops(2 * n ** 3 * repeats, trial));
    return { n, dtype, compute, repeats, trials, gflops: best(rates), medianGflops: median(rates) };
  } finally {
    runner.destroy();
  }
}
