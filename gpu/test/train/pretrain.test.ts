import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, type Gpu } from '../../src/index.ts';
import { pretrainJob } from '../../src/jobs/pretrain.ts';
import { pretrain, TrainingDivergedError } from '../../src/train/pretrain.ts';
import { pretrainConfigSchema, type PretrainConfig } from '../../src/train/pretrain-config.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { TINY_PRETRAIN } from './tiny-pretrain.ts';
import { largestRelativeDifference, recordingReporter, weightsOf } from './training-run.ts';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;

beforeAll(async () => {
  gpu = await acquireGpu();
});

/** A model small enough for lavapipe to train six steps in a few seconds. */
function tinyConfig(output: string, overrides: Partial<PretrainConfig['training']> = {}) {
  return pretrainConfigSchema.parse({
    output,
    seed: 7,
    ...TINY_PRETRAIN,
    training: {
      steps: 6,
      batchSize: 2,
      sequenceLength: 24,
      gradientAccumulation: 2,
      learningRate: 3e-3,
      warmupSteps: 2,
      ...overrides,
    },
    // The test split (about 300,000 tokens at this vocabulary) is scored in the first test only.
    evaluation: { every: 3, batches: 2, batchSize: 64, test: false },
    checkpoint: { every: 3, keep: 5 },
  });
}

describe('pretrain', () => {
  it('stopped after a checkpoint and resumed, ends at the uninterrupted run’s weights', async () => {
    const straightOutput = join(await temporaryFolder(), 'straight');
    const straight = recordingReporter();
    const withTest = tinyConfig(straightOutput);
    withTest.evaluation.test = true;
    const result = await pretrain(withTest, straight, gpu);
    expect(result.summary.steps).toBe(6);
    // The finished model is scored on the test split beside both baselines of its tokenizer.
    const { test_perplexity, bigram_test_perplexity, unigram_test_perplexity } = result.summary;
    expect(test_perplexity).toBeGreaterThan(bigram_test_perplexity!);
    expect(unigram_test_perplexity).toBeGreaterThan(bigram_test_perplexity!);
    expect(result.summary.test_perplexity_per_word).toBeGreaterThan(test_perplexity!);
    // Metrics at every step, held-out loss at 3 and 6, checkpoints at 3 and 6, then the model.
    expect([...straight.points.keys()]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(straight.points.get(3)!.val_loss).toBeGreaterThan(0);
    expect(straight.points.get(6)!.val_loss).toBeLessThan(straight.points.get(3)!.val_loss!);
    expect(straight.artifacts.map(({ kind, step }) => `${kind}@${step}`)).toEqual([
      'CHECKPOINT@3',
      'CHECKPOINT@6',
      'MODEL@undefined',
    ]);

    const interruptedOutput = join(await temporaryFolder(), 'interrupted');
    const first = recordingReporter(null, 4);
    const partial = await pretrain(tinyConfig(interruptedOutput), first, gpu);
    expect(partial.summary.steps).toBe(4);
    const checkpoint = first.artifacts.find(({ step }) => step === 3)!;
    const resumed = recordingReporter({ path: checkpoint.path, step: 3 });
    await pretrain(tinyConfig(interruptedOutput), resumed, gpu);
    expect([...resumed.points.keys()]).toEqual([4, 5, 6]);
    for (const step of [4, 5, 6]) {
      expect(resumed.points.get(step)!.train_loss).toBe(straight.points.get(step)!.train_loss);
    }

    const difference = largestRelativeDifference(
      await weightsOf(join(straightOutput, 'model')),
      await weightsOf(join(interruptedOutput, 'model')),
    );
    expect(difference).toBeLessThan(1e-6);
    const history = await readFile(join(interruptedOutput, 'history.jsonl'), 'utf8');
    const steps = history
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { step: number }).step);
    expect(steps).toEqual([1, 2, 3, 3, 4, 5, 6, 6]);
  }, 240_000);

  it('refuses to resume with a config that changes the weights, naming the field', async () => {
    const output = join(await temporaryFolder(), 'run');
    const first = recordingReporter(null, 3);
    await pretrain(tinyConfig(output), first, gpu);
    const checkpoint = first.artifacts[0]!;
    await expect(
      pretrain(
        tinyConfig(output, { learningRate: 1e-2 }),
        recordingReporter({ path: checkpoint.path, step: 3 }),
        gpu,
      ),
    ).rejects.toThrow(/its training\.learningRate differs from this run's config/);
  }, 120_000);

  it('stops at a non-finite loss, naming the step, and keeps the last good checkpoint', async () => {
    const output = join(await temporaryFolder(), 'run');
    const first = recordingReporter(null, 3);
    await pretrain(tinyConfig(output), first, gpu);
    const checkpoint = first.artifacts[0]!.path;
    // Poison the resumed weights: the final norm scales by 3e38, so the logits overflow (loading
    // refuses NaN weights themselves).
    const weightsPath = join(checkpoint, 'model.safetensors');
    const bytes = await readFile(weightsPath);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString()) as Record<
      string,
      { data_offsets: [number, number] }
    >;
    const [begin, end] = header['model.norm.weight']!.data_offsets;
    for (let offset = 8 + headerLength + begin; offset < 8 + headerLength + end; offset += 4)
      bytes.writeFloatLE(3e38, offset);
    await writeFile(weightsPath, bytes);

    const run = pretrain(tinyConfig(output), recordingReporter({ path: checkpoint, step: 3 }), gpu);
    await expect(run).rejects.toThrow(TrainingDivergedError);
    await expect(run).rejects.toThrow(
      new RegExp(`diverged at step 4: the loss is NaN.*last good checkpoint is ${checkpoint}`),
    );
    expect((await weightsOf(checkpoint)).size).toBeGreaterThan(0);
  }, 120_000);

  it.each([
    [{ model: { hiddenSize: 30, intermediateSize: 8, layers: 1, heads: 4 } }, 'model.hiddenSize'],
    [
      { model: { hiddenSize: 32, intermediateSize: 8, layers: 1, heads: 4, kvHeads: 3 } },
      'model.kvHeads',
    ],
    [{ training: { steps: 0 } }, 'training.steps'],
    [{ training: { sequenceLength: 1024 } }, 'training.sequenceLength'],
    [{ training: { learningRate: -1 } }, 'training.learningRate'],
    [{ training: { warmupSteps: 99 } }, 'training.warmupSteps'],
    [{ data: { vocabSize: 100 } }, 'data.vocabSize'],
    [{ evaluation: { every: 0 } }, 'evaluation.every'],
    [{ unknownField: 1 }, ''],
  ])('refuses the invalid config %j before any work, naming %s', async (change, field) => {
    const valid = {
      output: 'out',
      model: { hiddenSize: 32, intermediateSize: 88, layers: 1, heads: 4 },
      training: { steps: 6, batchSize: 2, sequenceLength: 24, learningRate: 3e-3 },
    };
    const merged = Object.fromEntries(
      Object.entries({ ...valid, ...change }).map(([key, value]) => [
        key,
        typeof value === 'object' && key in valid
          ? { ...(valid as Record<string, unknown> as Record<string, object>)[key], ...value }
          : value,
      ]),
    );
    const parsed = pretrainJob.schema.safeParse(merged);
    expect(parsed.success).toBe(false);
    const paths = parsed.error!.issues.map((issue) => issue.path.join('.'));
    expect(paths).toContain(field);
  });
});
