import { formatKernelReport, parseMatmulSizes, runKernelBenchmark } from '@factorlab/gpu';
import { fail } from './fail.ts';
import { withGpu } from './with-gpu.ts';

export interface BenchKernelsOptions {
  json?: boolean;
  /** Comma-separated square matmul sizes. */
  sizes: string;
  repeats: number;
  /** lavapipe's compute threads (FACTORLAB_CPU_THREADS). */
  cpuThreads?: number;
}

/**
 * `lab bench kernels`: the adapter's FMA ceiling, the engine's matmul against it and numpy's sgemm.
 * Progress goes to stderr; stdout holds the table, or with --json one JSON object.
 */
export async function benchKernelsCommand(options: BenchKernelsOptions): Promise<void> {
  const sizes = parseSizes(options.sizes);
  if (options.repeats < 1) fail('--repeats must be at least 1');
  await withGpu(options.cpuThreads, async (gpu) => {
    const result = await runKernelBenchmark(gpu, {
      sizes,
      repeats: options.repeats,
      onProgress: (stage) => process.stderr.write(`${stage}\n`),
    });
    console.log(options.json ? JSON.stringify(result) : formatKernelReport(result));
  });
}

function parseSizes(list: string): number[] {
  try {
    return parseMatmulSizes(list);
  } catch (error) {
    fail((error as Error).message);
  }
}
