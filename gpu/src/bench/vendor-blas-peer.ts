import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { failureReason } from './blas-peer.ts';

/**
 * The GPU vendor's BLAS through PyTorch (cuBLAS on NVIDIA), the peer the engine's matmuls are
 * measured against on real GPUs.
 */
export type VendorBlasPeer =
  ({ available: true } & VendorBlasMeasurement) | { available: false; reason: string };

const measurementSchema = z.object({
  peer: z.literal('cublas-through-pytorch'),
  torch: z.string(),
  cuda: z.string().nullable(),
  device: z.string(),
  matmul: z.array(
    z.object({ n: z.int().positive(), dtype: z.enum(['f32', 'f16']), gflops: z.number() }),
  ),
});

type VendorBlasMeasurement = z.output<typeof measurementSchema>;

const SCRIPT = fileURLToPath(new URL('torch_cuda_matmul.py', import.meta.url));

/** Products per timed trial: enough that a 256-wide one on a large GPU outlasts the timer. */
const REPEATS = 20;

/** Times PyTorch's CUDA matmul at each n, f32 (TF32 off) and f16, best of `trials`. */
export async function measureVendorBlas(
  sizes: number[],
  trials: number,
  python = 'python3',
): Promise<VendorBlasPeer> {
  try {
    const { stdout } = await promisify(execFile)(python, [
      SCRIPT,
      sizes.join(','),
      String(trials),
      String(REPEATS),
    ]);
    return { available: true, ...measurementSchema.parse(JSON.parse(stdout)) };
  } catch (error) {
    return { available: false, reason: failureReason(python, error) };
  }
}
