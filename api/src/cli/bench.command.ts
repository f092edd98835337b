import type { Command } from 'commander';
import { fail } from './fail.ts';
import { CPU_THREADS_HELP, integer } from './flags.ts';

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
  const { formatKernelReport, parseMatmulKernels, parseMatmulSizes, runKernelBenchmark } =
    await import('@factorlab/gpu');
  const { withGpu } = await import('./with-gpu.ts');
  const sizes = parsedOrFail(parseMatmulSizes, options.sizes);
  if (options.repeats < 1) fail('--repeats must be at least 1');
  const kernels =
    options.matmulKernels === undefined
      ? undefined
      : parsedOrFail(parseMatmulKernels, options.matmulKernels);
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

/** `lab bench kernels`. */
export function registerBenchKernels(bench: Command): void {
  bench
    .command('kernels')
    .description("time the engine's kernels against the adapter's FMA ceiling and numpy's sgemm")
    .option('--json', 'print one JSON object')
    .option('--sizes <list>', 'square matmul sizes, comma-separated', '256,512,1024')
    .option('--repeats <n>', 'matmuls per timed trial', integer, 10)
    .option(
      '--matmul-kernels <which>',
      'chosen (the kernel the engine picks) or all (every kernel; the default on GPUs)',
    )
    .option('--cpu-threads <n>', CPU_THREADS_HELP, integer)
    .action(benchKernelsCommand);
}
