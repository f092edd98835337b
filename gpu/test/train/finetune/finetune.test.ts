import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, type Gpu } from '../../../src/index.ts';
import { finetuneConfigSchema } from '../../../src/train/finetune/config.ts';
import { finetune } from '../../../src/train/finetune/finetune.ts';
import { layerMetric } from '../../../src/train/metric-keys.ts';
import { useTemporaryFolders } from '../../model/files.ts';
import { largestRelativeDifference, recordingReporter, weightsOf } from '../training-run.ts';
import { tinyTeacher, type TinyTeacher } from './tiny-teacher.ts';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;
let teacher: string;
let student: string;

let fixture: TinyTeacher;
beforeAll(async () => {
  gpu = await acquireGpu();
  fixture = await tinyTeacher(gpu);
  teacher = fixture.teacher;
  student = await fixture.factorise(4, 1);
}, 300_000);

afterAll(() => fixture.remove());

function tinyFinetune(output: string, router = 6, joint = 6) {
  return finetuneConfigSchema.parse({
    teacher,
    student,
    output,
    seed: 5,
    training: { batchSize: 4, sequenceLength: 32, gradientAccumulation: 2 },
    stages: {
      router: { steps: router, learningRate: 3e-2, warmupSteps: 1 },
      joint: { steps: joint, learningRate: 3e-3, warmupSteps: 1 },
    },
    evaluation: { every: 6, batches: 2, batchSize: 16 },
    checkpoint: { every: 3, keep: 10 },
  });
}

describe('the FactorLLM fine-tune', () => {
  it('teaches the routers the PA prior, then trains routers and experts, logging every term', async () => {
    const output = await temporaryFolder();
    const reporter = recordingReporter();
    const { summary } = await finetune(tinyFinetune(output, 10, 4), reporter, gpu);
    const first = reporter.points.get(1)!;
    const routerEnd = reporter.points.get(10)!;
    for (const key of ['train_loss', 'ce_loss', 'distill_loss', 'pa_loss', 'balance_loss'])
      expect(Number.isFinite(first[key]), key).toBe(true);
    expect(first[layerMetric(1, 'pa_loss')]).toBeGreaterThan(0);
    // Off by default: no FFN distillation is computed or logged.
    expect(first.ffn_distill_loss).toBeUndefined();
    expect(first.stage).toBe(0);
    expect(reporter.points.get(11)!.stage).toBe(1);
    // The router stage moves only routers: the routing agrees more with the prior and CE moves
    // only through routing.
    expect(routerEnd.router_accuracy).toBeGreaterThan(first.router_accuracy! + 0.15);
    expect(routerEnd.pa_loss).toBeLessThan(first.pa_loss!);
    expect(summary.steps).toBe(14);
    expect(summary.val_loss).toBeGreaterThan(0);
    const saved = JSON.parse(await readFile(join(output, 'model', 'config.json'), 'utf8'));
    expect(saved.factorlab_moe).toMatchObject({ num_experts: 4, top_k: 1 });
    // Only routers changed in the router stage; the joint stage changed experts too.
    const before = await weightsOf(student);
    const after = await weightsOf(join(output, 'model'));
    const changed = [...after].filter(
      ([name, values]) =>
        largestRelativeDifference(new Map([[name, values]]), new Map([[name, before.get(name)!]])) >
        0,
    );
    expect(
      changed.map(([name]) => name).every((name) => /\.mlp\.(router|experts)\./.test(name)),
    ).toBe(true);
    expect(changed.some(([name]) => name.includes('.experts.'))).toBe(true);
  }, 300_000);

  it('with FFN distillation on, logs it per layer and the joint stage lowers it', async () => {
    const config = tinyFinetune(await temporaryFolder(), 2, 8);
    config.loss.ffnDistill = 1;
    const reporter = recordingReporter();
    await finetune(config, reporter, gpu);
    const [first, last] = [reporter.points.get(3)!, reporter.points.get(10)!];
    const layers = [0, 1].map((layer) => layerMetric(layer, 'ffn_distill_loss'));
    for (const key of layers) expect(first[key], key).toBeGreaterThan(0);
    expect(first.ffn_distill_loss).toBeCloseTo(first[layers[0]!]! + first[layers[1]!]!, 6);
    expect(last.ffn_distill_loss).toBeLessThan(first.ffn_distill_loss! * 0.9);
  }, 300_000);

  it('resumes from a checkpoint, also across the stage boundary, to the same weights', async () => {
    const straightOutput = await temporaryFolder();
    await finetune(tinyFinetune(straightOutput), recordingReporter(), gpu);
    for (const stopAfter of [4, 6]) {
      const output = await temporaryFolder();
      await finetune(tinyFinetune(output), recordingReporter(null, stopAfter), gpu);
      const step = stopAfter === 4 ? 3 : 6;
      const path = join(output, 'checkpoints', `step-${String(step).padStart(8, '0')}`);
      await finetune(tinyFinetune(output), recordingReporter({ path, step }), gpu);
      const difference = largestRelativeDifference(
        await weightsOf(join(straightOutput, 'model')),
        await weightsOf(join(output, 'model')),
      );
      expect(difference, `resumed from step ${step}`).toBeLessThan(1e-6);
    }
  }, 300_000);

  it('refuses a dense student, and a config without work, naming the field', async () => {
    const output = await temporaryFolder();
    await expect(
      finetune({ ...tinyFinetune(output), student: teacher }, recordingReporter(), gpu),
    ).rejects.toThrow(/student: .* is a dense model; factorise it first/);
    const parsed = finetuneConfigSchema.safeParse({
      teacher,
      student,
      output,
      stages: { router: { steps: 0, learningRate: 1e-3 }, joint: { steps: 0, learningRate: 1e-3 } },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.message).toMatch(/nothing would train/);
    expect(
      finetuneConfigSchema.safeParse({
        teacher,
        student,
        output,
        stages: {
          router: { steps: 1, learningRate: Number.NaN },
          joint: { steps: 1, learningRate: 1 },
        },
      }).error!.issues[0]!.path,
    ).toEqual(['stages', 'router', 'learningRate']);
  });
});
