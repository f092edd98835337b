import {
  formatKernelReport,
  parseMatmulKernels,
  parseMatmulSizes,
  runKernelBenchmark,
} from '@factorlab/gpu';
import { fail } from './fail.ts';
import { withGpu } from './with-gpu.ts';

export interface BenchKernelsOptions {
  json?: boolean;
  /** Comma-separated square matmul sizes. */
  sizes: string;
  repeats: number;
  /** Which matmul kernels to time: chosen or all (default: all on GPUs, chosen on CPUs). */
  matmulKernels?: string;
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
  const kernels =
    options.matmulKernels === undefined ? undefined : parseKernels(options.matmulKernels);
  await withGpu(options.cpuThreads, async (gpu) => {
    const result = await runKernelBenchmark(gpu, {
      sizes,
      repeats: options.repeats,
      ...(kernels && { kernels }),
      onProgress: (stage) => process.stderr.write(`${stage}\n`),
    });
    console.log(options.json ? JSON.stringify(result) : formatKernelReport(result));
  });
}

/** `parse(value)`, or the CLI's one-line failure with its message. */
function parsedOrFail<T>(parse: (value: string) => T, value: string): T {
  try {
    return parse(value);
  } catch (error) {
    fail((error as Error).message);
  }
}

const parseSizes = (list: string) => parsedOrFail(parseMatmulSizes, list);
const parseKernels = (value: string) => parsedOrFail(parseMatmulKernels, value);
