import { describe, expect, it, vi } from 'vitest';
import { selftestJob } from '../src/index.ts';
import type * as referenceModule from '../src/reference/matmul.ts';
import { RecordingReporter } from './recording-reporter.ts';

// A reference that is off by 0.5 everywhere stands in for a GPU that computes wrongly.
vi.mock('../src/reference/matmul.ts', async (importOriginal) => {
  const original = await importOriginal<typeof referenceModule>();
  return {
    referenceMatmul: (...args: Parameters<typeof original.referenceMatmul>) =>
      original.referenceMatmul(...args).map((value) => value + 0.5),
  };
});

describe('selftest job when the GPU disagrees with the CPU reference', () => {
  it('fails, saying by how much, after reporting the errors', async () => {
    const reporter = new RecordingReporter();
    const config = selftestJob.schema.parse({ size: 16 });

    await expect(selftestJob.run(config, reporter)).rejects.toThrow(
      /^selftest: the GPU result disagrees with the CPU reference at size 16: max relative error \S+ \(max absolute 5\.00e-1\) exceeds the tolerance of 0\.001$/,
    );
    expect(reporter.metricCalls).toEqual([
      {
        step: 0,
        values: { max_abs_error: expect.closeTo(0.5, 5), max_rel_error: expect.any(Number) },
      },
    ]);
  });
});
