import type { DeviceInfo } from '../runtime/device-info.ts';
import { MATMUL_KERNELS, type MatmulKernel } from '../ops/matmul-plan.ts';
import type { MatmulInputType } from '../ops/matmul-shader.ts';
import type { Gpu } from '../runtime/device.ts';
import { measureBlasPeer, type BlasPeer } from './blas-peer.ts';
import {
  betterCeiling,
  measureFmaCeiling,
  type FmaCeiling,
  type FmaCeilingOptions,
} from './fma-ceiling.ts';
import { timeMatmul, type MatmulTiming } from './matmul-benchmark.ts';
import {
  SMALL_MODEL,
  timeTrainingStep,
  type TrainingStepDims,
  type TrainingStepTiming,
} from './training-step-benchmark.ts';
import { measureVendorBlas, type VendorBlasPeer } from './vendor-blas-peer.ts';
import { timeOps, type OpTiming, type UntimedOp } from './op-benchmark.ts';
import { LLAMA_LIKE_DIMS, type OpDims } from './op-cases.ts';

export interface KernelBenchmarkOptions {
  /** Square matmul sizes n (n x n times n x n). */
  sizes: number[];
  /** Matmuls per timed trial. */
  repeats: number;
  /** Timed trials of each matmul and FMA ceiling; the best (and the median) are reported. */
  trials?: number;
  fma?: Omit<FmaCeilingOptions, 'trials'>;
  /** Model sizes the other ops are timed at (default a small Llama's). */
  opDims?: OpDims;
  /** n of numpy's sgemm. */
  blasSize?: number;
  /** The model whose training step is timed (default SMALL_MODEL), and steps per trial. */
  trainingDims?: TrainingStepDims;
  trainingSteps?: number;
  /**
   * Which matmul kernels to time: the one the engine chooses for each product, or every kernel
   * (MATMUL_KERNELS, and the windowed one where it serves). Default: every kernel on GPU adapters,
   * where a device run is there to compare and tune them; the chosen one on CPU adapters, where
   * the GPU kernels take minutes at n = 1024.
   */
  kernels?: 'chosen' | 'all';
  /** Told what is being measured, for progress output. */
  onProgress?: (stage: string) => void;
}

/** Something the benchmark could not measure here, and why. */
export interface Skipped {
  dtype: string;
  skipped: string;
}

type MatmulSkipped = Skipped & { n: number; compute: MatmulInputType };

/**
 * A matmul timing with its best trial as a fraction of the FMA ceiling of its compute type (f32,
 * or f16 for f16 compute), named in `ceilingDtype`, and of cuBLAS at the same n and type where it
 * was measured (inputs and compute both f32, or both f16).
 */
export type TimedMatmul = MatmulTiming & {
  ceilingFraction: number;
  ceilingDtype: MatmulInputType;
  vendorBlasFraction?: number;
};
export type MatmulResult = TimedMatmul | MatmulSkipped;

export interface KernelBenchmarkResult {
  adapter: DeviceInfo;
  /**
   * f32 FMA throughput, best trial of the fastest kernel shape, measured before and after the
   * matmuls: the ceiling each f32-compute matmul is compared to.
   */
  fmaCeilingGflops: number;
  fmaCeilings: (FmaCeiling | Skipped)[];
  /**
   * Timed matmuls: f32; f16 inputs summed in f32; f16 inputs summed in f16; for each, the kernel
   * the engine chooses (`chosen`) and, where every kernel is timed, the others after it.
   */
  matmul: MatmulResult[];
  blasGflops: number | null;
  blas: BlasPeer;
  /** cuBLAS through PyTorch at the same sizes, where python3 has torch and a CUDA device. */
  vendorBlas: VendorBlasPeer;
  /** A small model's training step beside what its dispatches and readback cost alone. */
  trainingStep: TrainingStepTiming;
  /**
   * Forward timings by op name, `repeats` calls per trial: every registered op, and the engine's
   * ops that are not registered ones (attention, topK, groupByExpert).
   */
  ops: (OpTiming | UntimedOp)[];
}

/** Input type and compute type of each timed matmul. */
const MATMUL_VARIANTS: readonly { dtype: MatmulInputType; compute: MatmulInputType }[] = [
  { dtype: 'f32', compute: 'f32' },
  { dtype: 'f16', compute: 'f32' },
  { dtype: 'f16', compute: 'f16' },
];
const DEFAULT_TRIALS = 5;
const DEFAULT_BLAS_SIZE = 1024;
const DEFAULT_TRAINING_STEPS = 5;
const NO_SHADER_F16 = 'the device lacks shader-f16';

/** Matmul sizes as a command line gives them ("256,512,1024"); throws naming the bad list. */
export function parseMatmulSizes(list: string): number[] {
  const sizes = list.split(',').map(Number);
  if (!sizes.every((size) => Number.isInteger(size) && size > 0)) {
    throw new Error(`--sizes must be positive integers separated by commas, got "${list}"`);
  }
  return sizes;
}

export type MatmulKernelsTimed = NonNullable<KernelBenchmarkOptions['kernels']>;

/** Which matmul kernels to time, as a command line gives it; throws naming the bad value. */
export function parseMatmulKernels(value: string): MatmulKernelsTimed {
  if (value === 'chosen' || value === 'all') return value;
  throw new Error(`--matmul-kernels must be chosen or all, got "${value}"`);
}

/** The adapter's FMA ceiling, the engine's kernels beside it, and the CPU's BLAS for reference. */
export async function runKernelBenchmark(
  gpu: Gpu,
  options: KernelBenchmarkOptions,
): Promise<KernelBenchmarkResult> {
  const {
    sizes,
    repeats,
    trials = DEFAULT_TRIALS,
    blasSize = DEFAULT_BLAS_SIZE,
    opDims = LLAMA_LIKE_DIMS,
  } = options;
  const progress = options.onProgress ?? (() => {});
  const fmaOptions = { ...options.fma, trials };

  const hasF16 = gpu.device.features.has('shader-f16');
  // The ceiling is measured on both sides of the matmuls and the better figure kept, so that a
  // machine slowed by other work while the ceiling ran cannot flatter the matmuls' fractions.
  const measureCeilings = async (when: string) => {
    progress(`FMA ceiling (f32, ${when})`);
    const f32 = await measureFmaCeiling(gpu.device, 'f32', fmaOptions);
    if (!hasF16) return { f32, f16: undefined };
    progress(`FMA ceiling (f16, ${when})`);
    return { f32, f16: await measureFmaCeiling(gpu.device, 'f16', fmaOptions) };
  };
  const before = await measureCeilings('before the matmuls');

  const kernels: readonly (MatmulKernel | 'auto')[] =
    (options.kernels ?? (gpu.info.isCpu ? 'chosen' : 'all')) === 'all'
      ? ['auto', ...MATMUL_KERNELS]
      : ['auto'];
  const matmul: (MatmulTiming | MatmulSkipped)[] = [];
  for (const n of sizes) {
    for (const { dtype, compute } of MATMUL_VARIANTS) {
      if (dtype === 'f16' && !hasF16) {
        matmul.push({ n, dtype, compute, skipped: NO_SHADER_F16 });
        continue;
      }
      const timed = new Set<string>();
      for (const kernel of kernels) {
        // 'auto' comes first: the kernel it times is not timed again.
        if (kernel !== 'auto' && timed.has(kernel)) continue;
        const types = `${dtype}${compute === dtype ? '' : `, ${compute} compute`}`;
        progress(`matmul n=${n} (${types}${kernel === 'auto' ? '' : `, ${kernel} kernel`})`);
        const timing = await timeMatmul(gpu, n, dtype, { repeats, trials, kernel }, compute);
        timed.add(timing.kernel);
        matmul.push(timing);
      }
    }
  }

  const after = await measureCeilings('after the matmuls');
  const f32Ceiling = betterCeiling(before.f32, after.f32);
  const f16Ceiling: FmaCeiling | Skipped =
    before.f16 && after.f16
      ? betterCeiling(before.f16, after.f16)
      : { dtype: 'f16', skipped: NO_SHADER_F16 };
  const ceilings = { f32: f32Ceiling, f16: 'gflops' in f16Ceiling ? f16Ceiling : undefined };

  progress('vendor BLAS (cuBLAS through PyTorch)');
  const vendorBlas = await measureVendorBlas(sizes, trials);

  progress('other ops');
  const ops = await timeOps(gpu, { dims: opDims, repeats, trials });

  progress('training step');
  const trainingStep = await timeTrainingStep(gpu, {
    trials,
    steps: options.trainingSteps ?? DEFAULT_TRAINING_STEPS,
    dims: options.trainingDims ?? SMALL_MODEL,
  });

  progress(`numpy sgemm n=${blasSize}`);
  const blas = await measureBlasPeer(blasSize, trials);

  return {
    adapter: gpu.info,
    fmaCeilingGflops: f32Ceiling.gflops,
    fmaCeilings: [f32Ceiling, f16Ceiling],
    matmul: matmul.map((row) => withFractions(row, ceilings, vendorBlas)),
    blasGflops: blas.available ? blas.gflops : null,
    blas,
    vendorBlas,
    trainingStep,
    ops,
  };
}

/**
 * `row` with its best trial as a fraction of the FMA ceiling of its compute type (f16 compute
 * against the f16 ceiling where there is one) and of the vendor's BLAS at the same n and type.
 */
export function withFractions(
  row: MatmulTiming | MatmulSkipped,
  ceilings: { f32: FmaCeiling; f16: FmaCeiling | undefined },
  vendorBlas: VendorBlasPeer,
): MatmulResult {
  if ('skipped' in row) return row;
  const ceiling = row.compute === 'f16' && ceilings.f16 ? ceilings.f16 : ceilings.f32;
  const vendor =
    vendorBlas.available && row.compute === row.dtype
      ? vendorBlas.matmul.find(({ n, dtype }) => n === row.n && dtype === row.dtype)
      : undefined;
  return {
    ...row,
    ceilingFraction: row.gflops / ceiling.gflops,
    ceilingDtype: ceiling.dtype,
    ...(vendor && { vendorBlasFraction: row.gflops / vendor.gflops }),
  };
}
