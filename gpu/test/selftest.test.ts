import { describe, expect, it } from 'vitest';
import { acquireGpu, getJob, jobCatalogue, selftestJob } from '../src/index.ts';
import { RecordingReporter } from './recording-reporter.ts';

describe('selftest job', () => {
  it('multiplies on the GPU, agrees with the CPU reference and reports its metrics', async () => {
    const reporter = new RecordingReporter();
    const config = selftestJob.schema.parse({ size: 64, repeats: 3, seed: 7 });

    const { summary } = await selftestJob.run(config, reporter);

    expect(summary.max_abs_error).toBeLessThan(1e-4);
    expect(summary.max_rel_error).toBeLessThan(1e-5);
    expect(summary.gflops).toBeGreaterThan(0);
    expect(summary.ms_per_matmul).toBeGreaterThan(0);
    expect(summary.gflops).toBeCloseTo((2 * 64 ** 3) / (summary.ms_per_matmul! * 1e6), 6);
    const reported = Object.assign({}, ...reporter.metricCalls.map((call) => call.values));
    expect(reported).toEqual(summary);
    expect(reporter.metricCalls.every((call) => call.step === 0)).toBe(true);

    expect(reporter.devices).toEqual([(await acquireGpu()).info]);

    const fractions = reporter.progressCalls.map((call) => call.fraction);
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    const stages = new Set(reporter.progressCalls.map((call) => call.stage));
    expect([...stages]).toEqual(
      expect.arrayContaining(['acquiring GPU', 'checking against the CPU reference', 'timing']),
    );
  });

  it('returns the check alone when the run is cancelled before timing', async () => {
    const reporter = new RecordingReporter(4);
    const config = selftestJob.schema.parse({ size: 32, repeats: 50 });

    const { summary } = await selftestJob.run(config, reporter);

    expect(Object.keys(summary).sort()).toEqual(['max_abs_error', 'max_rel_error']);
    expect(reporter.progressCalls.at(-1)?.fraction).toBeLessThan(1);
  });

  it('stops timing between repeats once the run is cancelled', async () => {
    const reporter = new RecordingReporter(6);
    const config = selftestJob.schema.parse({ size: 32, repeats: 50 });

    const { summary } = await selftestJob.run(config, reporter);

    const timingCalls = reporter.progressCalls.filter((call) => call.stage === 'timing');
    expect(timingCalls.length).toBeLessThan(50);
    expect(summary.gflops).toBeGreaterThan(0);
  });
});

describe('selftest config schema', () => {
  const { schema } = selftestJob;

  it('fills in defaults', () => {
    expect(schema.parse({})).toEqual({ size: 256, repeats: 10, seed: 1 });
  });

  it.each([
    [{ size: 0 }, 'size'],
    [{ size: 2049 }, 'size'],
    [{ size: 'x' }, 'size'],
    [{ size: 12.5 }, 'size'],
    [{ repeats: 0 }, 'repeats'],
    [{ repeats: 101 }, 'repeats'],
    [{ seed: 0.5 }, 'seed'],
  ])('rejects %o at path %s', (config, field) => {
    const result = schema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([[field]]);
  });

  it('rejects unknown keys, naming them', () => {
    const result = schema.safeParse({ size: 64, sise: 64 });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['sise'], path: [] }),
    ]);
  });
});

describe('job catalogue', () => {
  it('finds jobs by kind', () => {
    expect(jobCatalogue.selftest).toBe(selftestJob);
    expect(getJob('selftest')).toBe(selftestJob);
  });

  it('knows no other kinds, inherited names included', () => {
    expect(getJob('quantize')).toBeUndefined();
    expect(getJob('toString')).toBeUndefined();
  });
});
