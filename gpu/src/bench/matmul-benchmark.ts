import type { MatmulKernel } from '../ops/matmul-plan.ts';
import { createMatmulRunner, matmulKernelFor, type MatmulRunner } from '../ops/matmul.ts';
import type { MatmulInputType } from '../ops/matmul-shader.ts';
import type { Gpu } from '../runtime/device.ts';
import { decodeFloat16, encodeFloat16 } from '../util/float16.ts';
import { randomFloat32Array, seededRandom } from '../util/random.ts';
import { best, gflops, median, timeTrials } from './statistics.ts';

export interface MatmulBenchmarkOptions {
  /** Matmuls per timed trial, all in one command buffer. */
  repeats: number;
  trials: number;
  /** The kernel to time (default 'auto', the one the engine would choose). */
  kernel?: MatmulKernel | 'auto';
}

export interface MatmulTiming {
  n: number;
  /** Type of A and B. */
  dtype: MatmulInputType;
  /** Type of the products and sums: f32, or f16 (f16 inputs only). */
  compute: MatmulInputType;
  /** The kernel timed, and whether it is the one the engine chooses for this product here. */
  kernel: MatmulKernel | 'windowed';
  chosen: boolean;
  repeats: number;
  trials: number;
  /** Best trial. */
  gflops: number;
  medianGflops: number;
  /**
   * The product checked after timing at SAMPLED_ENTRIES entries against float64 sums of the same
   * (for f16, rounded) inputs: the largest error relative to the largest |entry|, and whether it
   * is within the compute type's tolerance. A kernel outside it computed something else, fast.
   */
  maxRelativeError: number;
  correct: boolean;
}

/** Entries of C checked: the four corners and random ones, so edges and the interior count. */
const SAMPLED_ENTRIES = 64;
/**
 * Largest relative error a correct product has here: f32 sums over K <= 8192 of values in [-1, 1)
 * stay far below 1e-4; f16 sums round every partial sum to 11 bits.
 */
const TOLERANCE: Record<MatmulInputType, number> = { f32: 1e-4, f16: 5e-2 };

/**
 * GFLOP/s of C = A x B at n x n x n with A and B of `dtype`, computed in `compute`: inputs
 * uploaded once, one untimed warm-up (the pipelines compile and the device wakes), then `trials`
 * trials of `repeats` matmuls each (on CPU adapters each includes packing A and B); then the
 * product is read back and checked.
 */
export async function timeMatmul(
  gpu: Gpu,
  n: number,
  dtype: MatmulInputType,
  { repeats, trials, kernel = 'auto' }: MatmulBenchmarkOptions,
  compute: MatmulInputType = 'f32',
): Promise<MatmulTiming> {
  const chosen = matmulKernelFor(gpu, { m: n, k: n, n }, { dtype, compute });
  const runner = await createMatmulRunner(gpu, n, n, n, { dtype, compute, kernel });
  try {
    const random = seededRandom(n);
    const a = randomFloat32Array(n * n, random);
    const b = randomFloat32Array(n * n, random);
    runner.upload(a, b);
    await runner.dispatch();
    const seconds = await timeTrials(trials, () => runner.dispatch(repeats));
    const rates = seconds.map((trial) => gflops(2 * n ** 3 * repeats, trial));
    const maxRelativeError = await sampledError(runner, a, b);
    return {
      n,
      dtype,
      compute,
      kernel: runner.kernel,
      chosen: runner.kernel === chosen,
      repeats,
      trials,
      gflops: best(rates),
      medianGflops: median(rates),
      maxRelativeError,
      correct: maxRelativeError <= TOLERANCE[compute],
    };
  } finally {
    runner.destroy();
  }
}

/** The product's error at sampled entries against float64 sums of the inputs as stored. */
async function sampledError(
  runner: MatmulRunner,
  a: Float32Array,
  b: Float32Array,
): Promise<number> {
  const { m, k, n } = runner.shape;
  const stored = (values: Float32Array) =>
    runner.dtype === 'f16' ? decodeFloat16(encodeFloat16(values), values.length) : values;
  const [aStored, bStored] = [stored(a), stored(b)];
  const c = await runner.read();
  const random = seededRandom(m + k + n);
  const corners = [
    [0, 0],
    [0, n - 1],
    [m - 1, 0],
    [m - 1, n - 1],
  ];
  const entries = Array.from({ length: SAMPLED_ENTRIES }, (_, index) =>
    index < corners.length ? corners[index]! : [Math.floor(random() * m), Math.floor(random() * n)],
  );
  let maxError = 0;
  let maxExpected = 0;
  for (const [row, column] of entries as [number, number][]) {
    let expected = 0;
    for (let inner = 0; inner < k; inner++) {
      expected += aStored[row * k + inner]! * bStored[inner * n + column]!;
    }
    maxError = Math.max(maxError, Math.abs(c[row * n + column]! - expected));
    maxExpected = Math.max(maxExpected, Math.abs(expected));
  }
  return maxError / Math.max(maxExpected, Number.MIN_VALUE);
}
