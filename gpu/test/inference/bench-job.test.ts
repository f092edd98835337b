import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTraffic } from '../../src/eval/decode-traffic.ts';
import { getJob, inferenceBenchConfigSchema } from '../../src/index.ts';
import { readModelConfig } from '../../src/model/config.ts';
import {
  DECODE_PROFILE_METRICS as PROFILE,
  DECODE_TRAFFIC_METRICS as TRAFFIC,
  WEIGHT_ROUNDING_METRICS as ROUNDING,
} from '../../src/train/metric-keys.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { RecordingReporter } from '../recording-reporter.ts';
import { FIXTURE_VARIANTS, writeFixtureCheckpoint } from '../reference/fixtures.ts';
import { referenceSpeedupBound } from '../reference/speed-bound-f64.ts';

const temporaryFolder = useTemporaryFolders();

describe('the inference-bench job', () => {
  it('measures dense and factorised speed in one run and records a benchmark row', async () => {
    const directory = join(await temporaryFolder(), 'model');
    const config = await writeFixtureCheckpoint(directory, FIXTURE_VARIANTS[0]!.options);
    const job = getJob('inference-bench')!;
    const reporter = new RecordingReporter();
    const jobConfig = job.schema.parse({
      model: directory,
      experts: 4,
      topK: 1,
      promptLen: 9,
      genLen: 3,
      repeats: 1,
    });
    const { summary } = await job.run(jobConfig, reporter);
    expect(reporter.devices).toHaveLength(1);
    expect(reporter.benchmarks).toHaveLength(1);
    const [row] = reporter.benchmarks;
    expect(row).toMatchObject({
      modelPath: directory,
      experts: 4,
      topK: 1,
      split: 'sequential',
      batch: 1,
      promptLen: 9,
      genLen: 3,
    });
    expect(row!.decodeTokS).toBeGreaterThan(0);
    expect(row!.denseDecodeTokS).toBeGreaterThan(0);
    expect(row!.bound).toBeCloseTo(referenceSpeedupBound(config, 4, 1), 12);
    expect(summary.speedup).toBeCloseTo(row!.decodeTokS / row!.denseDecodeTokS!, 12);
    expect(summary.decode_tok_s).toBe(row!.decodeTokS);
    expect(reporter.progressCalls.at(-1)?.fraction).toBe(1);

    const shape = { matrixElementBytes: 4, batch: 1, promptLength: 9, generateLength: 3 };
    const modelConfig = await readModelConfig(join(directory, 'config.json'));
    const dense = decodeTraffic(modelConfig, shape).stepBytes;
    const factorised = decodeTraffic(modelConfig, {
      ...shape,
      experts: { count: 4, activeShare: 1 / 4 },
    }).stepBytes;
    expect(summary[TRAFFIC.denseStepBytes]).toBe(dense);
    expect(summary[TRAFFIC.stepBytes]).toBe(factorised);
    expect(summary[TRAFFIC.decodeGbS]).toBeCloseTo((factorised * row!.decodeTokS) / 1e9, 9);
    expect(summary[TRAFFIC.denseDecodeGbS]).toBeCloseTo((dense * row!.denseDecodeTokS!) / 1e9, 9);
    // lavapipe computes on the CPU: the host's read bandwidth is the limit, measured in the run.
    const read = summary[TRAFFIC.readGbS]!;
    expect(read).toBeGreaterThanOrEqual(summary[TRAFFIC.readGbSOneThread]!);
    expect(summary[TRAFFIC.bandwidthShare]).toBeCloseTo(summary[TRAFFIC.decodeGbS]! / read, 9);
    expect(summary[TRAFFIC.decodeLimitTokS]).toBeCloseTo((read * 1e9) / factorised, 6);
    expect(summary[TRAFFIC.denseDecodeLimitTokS]).toBeCloseTo((read * 1e9) / dense, 6);
  });

  it('states the logit error of weights f16 beside the halved traffic', async () => {
    const directory = join(await temporaryFolder(), 'model');
    await writeFixtureCheckpoint(directory, FIXTURE_VARIANTS[0]!.options);
    const job = getJob('inference-bench')!;
    const run = (weights: string) =>
      job.run(
        job.schema.parse({ model: directory, promptLen: 5, genLen: 2, repeats: 1, weights }),
        new RecordingReporter(),
      );
    const { summary } = await run('f16');
    expect(summary[ROUNDING.maxAbs]).toBeGreaterThan(0);
    expect(summary[ROUNDING.relativeRms]).toBeGreaterThan(0);
    expect(summary[ROUNDING.relativeRms]).toBeLessThan(1e-2);
    expect(summary[ROUNDING.top1Agreement]).toBeGreaterThan(0.5);
    const { summary: f32 } = await run('f32');
    expect(f32).not.toHaveProperty(ROUNDING.maxAbs);
    // Matrices take half the bytes; norms and the cache do not shrink.
    expect(summary[TRAFFIC.stepBytes]! / f32[TRAFFIC.stepBytes]!).toBeGreaterThan(0.5);
    expect(summary[TRAFFIC.stepBytes]! / f32[TRAFFIC.stepBytes]!).toBeLessThan(0.6);
  });

  it('profiles the kernels of a decode step: each once per step per layer, timed on the GPU', async () => {
    const directory = join(await temporaryFolder(), 'model');
    const config = await writeFixtureCheckpoint(directory, FIXTURE_VARIANTS[0]!.options);
    const job = getJob('inference-bench')!;
    const reporter = new RecordingReporter();
    const jobConfig = job.schema.parse({
      model: directory,
      promptLen: 6,
      genLen: 4,
      repeats: 1,
      profile: true,
    });
    const { summary } = await job.run(jobConfig, reporter);
    expect(summary[PROFILE.denseGpuMs]).toBeGreaterThan(0);
    expect(summary[PROFILE.gpuMs]).toBe(summary[PROFILE.denseGpuMs]);
    const header = reporter.logs.findIndex((line) => line.startsWith('dense decode: '));
    expect(reporter.logs[header]).toContain('(3 steps profiled)');
    const rows = reporter.logs.slice(header + 1);
    const callsOf = (operation: string) =>
      rows
        .filter((row) => row.includes(operation))
        .map((row) => Number(/([\d.]+) calls/.exec(row)![1]));
    // Prefill's own kernels (its 6-token products) are subtracted out; the argmax runs once a token.
    expect(rows.some((row) => row.includes(' 6 x '))).toBe(false);
    expect(callsOf('argmax')).toEqual([1]);
    expect(callsOf('gate-up swiglu 1 x')).toEqual([config.num_hidden_layers]);
  });

  it.each([
    [{ model: 'm', experts: 4 }, 'topK', 'experts and topK go together'],
    [{ model: 'm', topK: 1 }, 'experts', 'experts and topK go together'],
    [{ model: 'm', experts: 2, topK: 3 }, 'topK', 'must be at most experts'],
    [{ model: 'm', genLen: 1 }, 'genLen', ''],
    [{ model: '' }, 'model', ''],
  ])('refuses %j, naming %s', (config, field, message) => {
    const parsed = inferenceBenchConfigSchema.safeParse(config);
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues[0]!;
    expect(issue.path).toEqual([field]);
    expect(issue.message).toContain(message);
  });
});
