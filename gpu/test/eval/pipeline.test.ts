import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, type Gpu } from '../../src/index.ts';
import { pipelineConfigSchema, runPipeline } from '../../src/jobs/pipeline.ts';
import { RecordingReporter } from '../recording-reporter.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { tinyTeacher, type TinyTeacher } from '../train/finetune/tiny-teacher.ts';
import { largestRelativeDifference, weightsOf } from '../train/training-run.ts';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;
let fixture: TinyTeacher;

beforeAll(async () => {
  gpu = await acquireGpu();
  fixture = await tinyTeacher(gpu);
}, 300_000);

afterAll(() => fixture.remove());

function tinyPipeline(output: string, overrides: Record<string, unknown> = {}) {
  return {
    model: fixture.teacher,
    output,
    factorize: { experts: 4, topK: 2, split: 'random', seed: 2 },
    finetune: {
      training: { batchSize: 2, sequenceLength: 24 },
      stages: {
        router: { steps: 2, learningRate: 1e-2 },
        joint: { steps: 2, learningRate: 1e-3 },
      },
      evaluation: { every: 4, batches: 1, batchSize: 8 },
      checkpoint: { every: 2, keep: 1 },
    },
    eval: { split: 'validation', sequenceLength: 24, batchSize: 8, maxBatches: 1 },
    bench: { promptLen: 8, genLen: 4, repeats: 1 },
    ...overrides,
  };
}

describe('the FactorLLM pipeline', () => {
  it('factorises, fine-tunes, evaluates and measures in one job, writing one report', async () => {
    const output = await temporaryFolder();
    const reporter = new RecordingReporter();
    const { report, summary } = await runPipeline(
      pipelineConfigSchema.parse(tinyPipeline(output)),
      reporter,
      gpu,
    );
    const saved = JSON.parse(await readFile(join(output, 'report.json'), 'utf8'));
    expect(saved).toEqual(JSON.parse(JSON.stringify(report)));
    expect(Object.keys(saved.baselines)).toEqual([
      'untrainedRouter',
      'randomRouter',
      'oracleRouter',
    ]);
    expect(saved.layers).toHaveLength(2);
    expect(saved.speed.speedup).toBeGreaterThan(0);
    expect(saved.speed.bound).toBeGreaterThan(1);
    expect(summary).toMatchObject({ experts: 4, top_k: 2, retention: saved.retention });
    expect(summary.finetune_tokens).toBe(4 * 2 * 24);
    expect(reporter.benchmarks).toHaveLength(1);
    expect(reporter.benchmarks[0]).toMatchObject({ experts: 4, topK: 2, split: 'random' });
    expect(reporter.artifacts.map(({ kind }) => kind)).toContain('REPORT');
    const fractions = reporter.progressCalls.map(({ fraction }) => fraction);
    expect(
      fractions.every((fraction, index) => index === 0 || fraction >= fractions[index - 1]!),
    ).toBe(true);
  }, 300_000);

  it("refuses a stage's invalid or pipeline-owned setting under the stage's name", () => {
    const refused = (config: Record<string, unknown>) => {
      const parsed = pipelineConfigSchema.safeParse(config);
      expect(parsed.success).toBe(false);
      return parsed.error!.issues.map(({ path, message }) => `${path.join('.')}: ${message}`);
    };
    expect(refused(tinyPipeline('out', { factorize: { experts: 2, topK: 3 } }))).toContain(
      'factorize.topK: must be at most experts (2)',
    );
    expect(
      refused(tinyPipeline('out', { finetune: { teacher: 'elsewhere', stages: {} } })),
    ).toEqual(['finetune.teacher: is set by the pipeline (from its model and output); remove it']);
    expect(
      refused(
        tinyPipeline('out', {
          finetune: {
            stages: {
              router: { steps: 1, learningRate: -1 },
              joint: { steps: 1, learningRate: 1e-3 },
            },
          },
        }),
      )[0],
    ).toMatch(/^finetune\.stages\.router\.learningRate: /);
  });

  it('accepts every example config in examples/factorllm, each with its own output folder', async () => {
    const root = join(import.meta.dirname, '..', '..', '..', 'examples', 'factorllm');
    const files = (await readdir(root, { recursive: true })).filter((file) =>
      file.endsWith('.json'),
    );
    const outputs = new Set<string>();
    for (const file of files) {
      const text = JSON.parse(await readFile(join(root, file), 'utf8')) as Record<string, unknown>;
      // A sweep file holds its pipeline config as baseConfig.
      const config = (text.baseConfig ?? text) as Record<string, unknown>;
      const parsed = pipelineConfigSchema.safeParse(config);
      expect(parsed.error?.issues, file).toBeUndefined();
      outputs.add(parsed.data!.output);
    }
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(outputs.size, 'every example writes to its own folder').toBe(files.length);
  });

  it('gives every point of a sweep its own folder through {hash}', () => {
    const output = (overrides: Record<string, unknown>) =>
      pipelineConfigSchema.parse(tinyPipeline('runs/demo-{hash}', overrides)).output;
    const first = output({});
    // What the queue stores (this output) parses again to itself, as a worker parses it.
    const parsed = pipelineConfigSchema.parse(tinyPipeline('runs/demo-{hash}'));
    expect(pipelineConfigSchema.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    expect(first).toMatch(/^runs\/demo-[0-9a-f]{12}$/);
    expect(output({})).toBe(first);
    expect(output({ factorize: { topK: 2, experts: 4, seed: 2, split: 'random' } })).toBe(first);
    expect(output({ factorize: { experts: 4, topK: 1, split: 'random', seed: 2 } })).not.toBe(
      first,
    );
  });

  it('resumes after a stop from the fine-tune checkpoint and ends where an unstopped run ends', async () => {
    const straight = await temporaryFolder();
    await runPipeline(
      pipelineConfigSchema.parse(tinyPipeline(straight)),
      new RecordingReporter(),
      gpu,
    );
    const stopped = await temporaryFolder();
    const config = pipelineConfigSchema.parse(tinyPipeline(stopped));
    const first = new StopAfterStep(2);
    const { report } = await runPipeline(config, first, gpu);
    expect(report).toBeUndefined();
    const checkpoint = first.artifacts.find(
      ({ kind, step }) => kind === 'CHECKPOINT' && step === 2,
    )!;
    const resumed = new RecordingReporter(Infinity, { path: checkpoint.path, step: 2 });
    await runPipeline(config, resumed, gpu);
    const difference = largestRelativeDifference(
      await weightsOf(join(straight, 'finetune', 'model')),
      await weightsOf(join(stopped, 'finetune', 'model')),
    );
    expect(difference).toBeLessThan(1e-6);
    const reportOf = async (folder: string) =>
      JSON.parse(await readFile(join(folder, 'report.json'), 'utf8'));
    expect((await reportOf(stopped)).student).toEqual((await reportOf(straight)).student);
  }, 300_000);
});

/** Asks the job to stop once metrics of `step` were reported. */
class StopAfterStep extends RecordingReporter {
  constructor(private readonly step: number) {
    super();
  }

  override shouldStop(): boolean {
    return this.metricCalls.some(({ step }) => step >= this.step);
  }
}
