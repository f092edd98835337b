import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** numpy's float32 matmul on this machine's CPU, the peer the kernels are measured against. */
export type BlasPeer =
  ({ available: true } & BlasMeasurement) | { available: false; reason: string };

/** What blas-sgemm.py prints. */
interface BlasMeasurement {
  n: number;
  gflops: number;
  numpy: string;
  /** The BLAS numpy was built with, e.g. "scipy-openblas 0.3.31". */
  blas: string;
  /** OpenBLAS's choice of CPU kernels (e.g. Haswell), where it can be asked. */
  coreName: string | null;
}

const SCRIPT = fileURLToPath(new URL('blas-sgemm.py', import.meta.url));

/**
 * Set on some machines because older OpenBLAS builds misbehave on their CPUs; they slow a current
 * numpy, so the peer measurement runs without them (in its own process only).
 */
const SLOWING_OPENBLAS_VARIABLES = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

/** Times numpy's sgemm at n x n x n, best of `trials`, with the `python` on the PATH. */
export async function measureBlasPeer(
  n: number,
  trials: number,
  python = 'python3',
): Promise<BlasPeer> {
  const env = { ...process.env };
  for (const name of SLOWING_OPENBLAS_VARIABLES) delete env[name];
  try {
    const { stdout } = await promisify(execFile)(python, [SCRIPT, String(n), String(trials)], {
      env,
    });
    return { available: true, ...(JSON.parse(stdout) as BlasMeasurement) };
  } catch (error) {
    return { available: false, reason: failureReason(python, error) };
  }
}

/** Why a peer script gave no figures: python missing, or the last line the script wrote. */
export function failureReason(python: string, error: unknown): string {
  const { code, stderr } = error as { code?: unknown; stderr?: string };
  if (code === 'ENOENT') return `${python} is not installed`;
  const lastLine = stderr?.trim().split('\n').at(-1);
  return lastLine || (error instanceof Error ? error.message : String(error));
}
