import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, noGrad, tensor, type Gpu } from '../../src/index.ts';
import { evaluationBatches } from '../../src/train/data/evaluation-batches.ts';
import { reportMetrics } from '../../src/eval/factor-report.ts';
import { oracleRouting, randomRouting } from '../../src/eval/router-baselines.ts';
import { evalConfigSchema, evaluateStudent } from '../../src/jobs/evaluate.ts';
import { compareWithTeacher, type QualityOptions } from '../../src/eval/student-quality.ts';
import { prepareBrownDataForModel, type BrownData } from '../../src/train/data/prepare.ts';
import { heldOutLoss } from '../../src/train/evaluate.ts';
import { TrainableLlama } from '../../src/train/trainable-llama.ts';
import { tinyTeacher, type TinyTeacher } from '../train/finetune/tiny-teacher.ts';

let gpu: Gpu;
let fixture: TinyTeacher;
let data: BrownData;
let teacher: TrainableLlama;

// Not multiples of any tile: 5 batches of 7 windows of 37 tokens.
const OPTIONS: QualityOptions = {
  split: 'validation',
  sequenceLength: 37,
  batchSize: 7,
  maxBatches: 5,
};

beforeAll(async () => {
  gpu = await acquireGpu();
  fixture = await tinyTeacher(gpu);
  data = await prepareBrownDataForModel(fixture.teacher);
  teacher = await TrainableLlama.open(gpu, fixture.teacher);
}, 300_000);

afterAll(async () => {
  teacher.dispose();
  await fixture.remove();
});

/** Top-1 accuracy computed on the host from the model's logits, counted as the batches mask. */
async function top1Accuracy(model: TrainableLlama, options: QualityOptions): Promise<number> {
  let correct = 0;
  let counted = 0;
  let scored = 0;
  for (const batch of evaluationBatches(data.splits, options)) {
    if (scored++ >= options.maxBatches!) break;
    const ids = tensor(gpu, batch.inputs, [batch.inputs.length]);
    const pass = noGrad(() =>
      model.logits({ ids, batch: batch.rows, positions: options.sequenceLength }),
    );
    const logits = await pass.output.read();
    pass.activations.dispose();
    ids.dispose();
    const vocabulary = logits.length / batch.targets.length;
    batch.targets.forEach((target, row) => {
      if (!batch.mask[row]) return;
      const values = logits.subarray(row * vocabulary, (row + 1) * vocabulary);
      let best = 0;
      values.forEach((value, index) => {
        if (value > values[best]!) best = index;
      });
      counted++;
      if (best === target) correct++;
    });
  }
  return correct / counted;
}

describe("a student's quality against its teacher", () => {
  it('is exactly the teacher when every expert runs (k = N)', async () => {
    const student = await TrainableLlama.open(gpu, await fixture.factorise(4, 4));
    const { dense, student: quality } = await compareWithTeacher(
      teacher,
      student,
      data.splits,
      OPTIONS,
    );
    // The dense figures agree with the trainer's own held-out loss (another code path).
    const reference = await heldOutLoss(teacher, data.splits, OPTIONS);
    expect(dense.tokens).toBe(reference.tokens);
    expect(dense.loss).toBeCloseTo(reference.loss, 5);
    expect(dense.perplexity).toBeCloseTo(Math.exp(reference.loss), 3);
    expect(dense.accuracy).toBeCloseTo(await top1Accuracy(teacher, OPTIONS), 9);
    expect(quality.loss).toBeCloseTo(dense.loss, 4);
    expect(quality.accuracy).toBeCloseTo(dense.accuracy, 3);
    expect(quality.klToTeacher).toBeLessThan(1e-5);
    expect(quality.top1Agreement).toBeGreaterThan(0.999);
    for (const layer of quality.layers) {
      expect(layer.relError).toBeLessThan(1e-8);
      expect(layer.routerAccuracy).toBe(1);
      expect(layer.loadEntropy).toBeCloseTo(Math.log(4), 6);
      // k = N: every expert is chosen for every token.
      expect(layer.expertLoad).toEqual([0.25, 0.25, 0.25, 0.25]);
    }
    student.dispose();
  }, 120_000);

  it('ranks the oracle router above a random one, with figures in range', async () => {
    const student = await TrainableLlama.open(gpu, await fixture.factorise(4, 1));
    const untrained = await compareWithTeacher(teacher, student, data.splits, OPTIONS);
    const random = await compareWithTeacher(
      teacher,
      student,
      data.splits,
      OPTIONS,
      randomRouting(1),
    );
    const oracle = await compareWithTeacher(
      teacher,
      student,
      data.splits,
      OPTIONS,
      oracleRouting(teacher, student),
    );
    for (const { student: quality } of [untrained, random, oracle]) {
      expect(quality.klToTeacher).toBeGreaterThan(1e-4);
      for (const layer of quality.layers) {
        expect(layer.relError).toBeGreaterThan(0);
        expect(layer.routerAccuracy).toBeGreaterThanOrEqual(0);
        expect(layer.routerAccuracy).toBeLessThanOrEqual(1);
        expect(layer.loadEntropy).toBeGreaterThanOrEqual(0);
        expect(layer.loadEntropy).toBeLessThanOrEqual(Math.log(4) + 1e-9);
        expect(layer.expertLoad).toHaveLength(4);
        expect(layer.expertLoad.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 12);
        // The shares are the distribution whose entropy is reported.
        const entropy = -layer.expertLoad.reduce(
          (sum, share) => sum + (share > 0 ? share * Math.log(share) : 0),
          0,
        );
        expect(entropy).toBeCloseTo(layer.loadEntropy, 12);
      }
    }
    // The oracle is closer to the teacher than chance.
    expect(oracle.student.klToTeacher).toBeLessThan(random.student.klToTeacher);
    // (The tiny teacher predicts nearly one token everywhere, so top-1 agreement cannot rank them.)
    expect(oracle.student.layers[0]!.relError).toBe(untrained.student.layers[0]!.relError);
    student.dispose();
  }, 180_000);

  it('reports a student with every baseline, as one object and as flat metrics', async () => {
    const untrained = await fixture.factorise(4, 2);
    const config = evalConfigSchema.parse({
      teacher: fixture.teacher,
      student: untrained,
      untrained,
      split: 'validation',
      sequenceLength: 37,
      batchSize: 7,
      maxBatches: 2,
    });
    const report = await evaluateStudent(
      config,
      { progress: () => undefined, log: () => undefined },
      gpu,
    );
    expect(Object.keys(report.baselines)).toEqual([
      'untrainedRouter',
      'randomRouter',
      'oracleRouter',
    ]);
    // The student is the untrained model here, so the two rows agree.
    expect(report.baselines.untrainedRouter!.perplexity).toBeCloseTo(report.student.perplexity, 9);
    expect(report.retention).toBeCloseTo(report.student.accuracy / report.dense.accuracy, 12);
    expect(report.layers).toHaveLength(2);
    const metrics = reportMetrics(report);
    expect(metrics).toMatchObject({
      retention: report.retention,
      perplexity: report.student.perplexity,
      'baseline.oracle_router.accuracy': report.baselines.oracleRouter!.accuracy,
      'layers.1.rel_error': report.layers[1]!.relError,
      'layers.1.expert_load.0': report.layers[1]!.expertLoad[0],
      'layers.1.expert_load.3': report.layers[1]!.expertLoad[3],
    });
    expect(Object.keys(metrics).filter((key) => key.includes('expert_load'))).toHaveLength(2 * 4);
  }, 180_000);
});
