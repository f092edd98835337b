import { z } from 'zod';
import { createMatmulRunner, type MatmulRunner } from '../ops/matmul.ts';
import { compareToReference } from '../reference/compare.ts';
import { referenceMatmul } from '../reference/matmul.ts';
import { randomFloat32Array, seededRandom } from '../util/random.ts';
import { acquireJobGpu } from './job-gpu.ts';
import type { JobDefinition, Reporter } from './job.ts';

export const selftestConfigSchema = z.strictObject({
  /** A and B are size x size. */
  size: z.int().min(1).max(2048).default(256),
  /** Timed dispatches, after one warm-up. */
  repeats: z.int().min(1).max(100).default(10),
  seed: z.int().default(1),
});

export type SelftestConfig = z.output<typeof selftestConfigSchema>;

/** The share of progress reached when timing starts: the CPU reference dominates what precedes. */
const TIMING_START = 0.5;

/** Largest error allowed, relative to the largest |value| of the reference. */
export const SELFTEST_TOLERANCE = 1e-3;

export const selftestJob: JobDefinition<typeof selftestConfigSchema> = {
  kind: 'selftest',
  description:
    'Multiplies two seeded random square matrices on the GPU, checks the product against a ' +
    'float64 CPU reference and measures matmul GFLOP/s.',
  schema: selftestConfigSchema,
  async run({ size, repeats, seed }, reporter) {
    const gpu = await acquireJobGpu(reporter);

    reporter.progress(0.05, 'compiling matmul');
    const random = seededRandom(seed);
    const a = randomFloat32Array(size * size, random);
    const b = randomFloat32Array(size * size, random);
    const runner = await createMatmulRunner(gpu, size, size, size);
    try {
      runner.upload(a, b);
      await runner.dispatch();

      reporter.progress(0.1, 'checking against the CPU reference');
      const { maxAbsError, maxRelError } = compareToReference(
        await runner.read(),
        referenceMatmul(a, b, size, size, size),
      );
      const errors = { max_abs_error: maxAbsError, max_rel_error: maxRelError };
      reporter.metrics(0, errors);
      if (maxRelError > SELFTEST_TOLERANCE) {
        throw new Error(
          `selftest: the GPU result disagrees with the CPU reference at size ${size}: ` +
            `max relative error ${maxRelError.toExponential(2)} (max absolute ` +
            `${maxAbsError.toExponential(2)}) exceeds the tolerance of ${SELFTEST_TOLERANCE}`,
        );
      }

      reporter.progress(TIMING_START, 'timing');
      // Untimed: the first dispatch after a pause runs slow (on lavapipe, threads wake up).
      await runner.dispatch();
      const timing = await timeDispatches(runner, repeats, reporter);
      if (timing.completed === 0) return { summary: errors };
      const speed = {
        gflops: (2 * size ** 3 * timing.completed) / timing.seconds / 1e9,
        ms_per_matmul: (timing.seconds * 1e3) / timing.completed,
      };
      reporter.metrics(0, speed);
      reporter.progress(1, 'done');
      return { summary: { ...errors, ...speed } };
    } finally {
      runner.destroy();
    }
  },
};

/**
 * Times up to `repeats` dispatches, stopping early once the run is cancelled. Each dispatch is
 * submitted before the previous one is awaited, so the GPU stays busy while the CPU learns of a
 * completion (within 5% of submitting them all in one command buffer on lavapipe).
 */
async function timeDispatches(
  runner: MatmulRunner,
  repeats: number,
  reporter: Reporter,
): Promise<{ completed: number; seconds: number }> {
  const started = performance.now();
  let submitted = 0;
  let previous = Promise.resolve();
  while (submitted < repeats && !reporter.shouldStop()) {
    const current = runner.dispatch();
    // Awaited next time round; this keeps its failure from going unhandled if `previous` throws.
    current.catch(() => {});
    submitted++;
    await previous;
    reporter.progress(TIMING_START + ((1 - TIMING_START) * (submitted - 1)) / repeats, 'timing');
    previous = current;
  }
  await previous;
  return { completed: submitted, seconds: (performance.now() - started) / 1e3 };
}
