import { acquireGpu, CPU_THREADS_ENV, NoAdapterError, type Gpu } from '@factorlab/gpu';
import { fail } from './fail.ts';
import { EXIT_NO_ADAPTER } from './serve.ts';

/** Has lavapipe compute on `cpuThreads` threads, if given (before the device is acquired). */
export function setCpuThreads(cpuThreads: number | undefined): void {
  if (cpuThreads === undefined) return;
  if (cpuThreads < 1) fail(`--cpu-threads must be at least 1, got ${cpuThreads}`);
  process.env[CPU_THREADS_ENV] = String(cpuThreads);
}

/**
 * Runs `body` on the GPU, lavapipe on `cpuThreads` threads if given, and releases the device
 * afterwards; a missing adapter ends the command with the adapter exit code.
 */
export async function withGpu<T>(
  cpuThreads: number | undefined,
  body: (gpu: Gpu) => Promise<T>,
): Promise<T> {
  setCpuThreads(cpuThreads);
  let gpu: Gpu;
  try {
    gpu = await acquireGpu();
  } catch (error) {
    if (error instanceof NoAdapterError) fail(error.message, EXIT_NO_ADAPTER);
    throw error;
  }
  try {
    return await body(gpu);
  } finally {
    gpu.device.destroy();
  }
}
