import { acquireGpu, CPU_THREADS_ENV, NoAdapterError, type Gpu } from '@factorlab/gpu';
import { fail } from './fail.ts';
import { EXIT_NO_ADAPTER } from './serve.ts';

/**
 * Runs `body` on the GPU, lavapipe on `cpuThreads` threads if given, and releases the device
 * afterwards; a missing adapter ends the command with the adapter exit code.
 */
export async function withGpu<T>(
  cpuThreads: number | undefined,
  body: (gpu: Gpu) => Promise<T>,
): Promise<T> {
  if (cpuThreads !== undefined) {
    if (cpuThreads < 1) fail(`--cpu-threads must be at least 1, got ${cpuThreads}`);
    process.env[CPU_THREADS_ENV] = String(cpuThreads);
  }
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
