/**
 * The kernel benchmark as a program of its own, for machines without the lab installed: the
 * device kit (gpu/device-kit/) bundles it with Dawn and a Node binary. `lab bench kernels` runs the
 * same measurement. Prints the text report; `--json-file FILE` also writes the JSON result.
 *
 *   node bench.mjs [--sizes 256,512,1024] [--repeats 10] [--matmul-kernels chosen|all]
 *     [--json-file FILE]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { acquireGpu, NoAdapterError } from '../runtime/device.ts';
import { parseMatmulKernels, parseMatmulSizes, runKernelBenchmark } from './kernel-benchmark.ts';
import { formatKernelReport } from './kernel-report.ts';

const USAGE =
  'usage: bench [--sizes 256,512,1024] [--repeats 10] [--matmul-kernels chosen|all] ' +
  '[--json-file FILE]';

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sizes: { type: 'string', default: '256,512,1024' },
        repeats: { type: 'string', default: '10' },
        'matmul-kernels': { type: 'string' },
        'json-file': { type: 'string' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  let sizes;
  let kernels;
  try {
    sizes = parseMatmulSizes(values.sizes);
    const matmulKernels = values['matmul-kernels'];
    kernels = matmulKernels === undefined ? undefined : parseMatmulKernels(matmulKernels);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) {
    console.error(`--repeats must be a positive integer, got "${values.repeats}"`);
    return 2;
  }
  let gpu;
  try {
    gpu = await acquireGpu();
  } catch (error) {
    if (!(error instanceof NoAdapterError)) throw error;
    console.error(`error: ${error.message}`);
    return 3;
  }
  try {
    const result = await runKernelBenchmark(gpu, {
      sizes,
      repeats,
      ...(kernels && { kernels }),
      onProgress: (stage) => process.stderr.write(`${stage}\n`),
    });
    if (values['json-file']) await writeFile(values['json-file'], JSON.stringify(result) + '\n');
    console.log(formatKernelReport(result));
    return 0;
  } finally {
    gpu.device.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
