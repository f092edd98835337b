import { noGrad } from '../ops/grad-mode.ts';
import {
  add,
  logSoftmax,
  mean,
  mul,
  scale,
  softmax,
  sum,
  tokenCrossEntropy,
  topK,
} from '../ops/index.ts';
import { argmaxRows } from '../ops/fused/sampling.ts';
import { allocateTensor, tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { Activations } from '../train/activations.ts';
import type { SplitTokens } from '../train/data/batch-options.ts';
import { evaluationBatches } from '../train/data/evaluation-batches.ts';
import { paLabel, routerAgreement } from '../train/finetune/pa-prior.ts';
import { moeFeedForward, moeWeightsOf, sharedExpertForward } from '../train/moe.ts';
import type {
  FeedForwardCapture,
  ForwardOptions,
  TrainableLlama,
} from '../train/trainable-llama.ts';

export interface QualityOptions {
  split: string;
  sequenceLength: number;
  batchSize: number;
  /** Score only the first this many batches; 0 or undefined scores the whole split. */
  maxBatches?: number;
}

/** How well a model predicts the next token of a held-out split. */
export interface ModelQuality {
  /** Mean next-token cross-entropy (nats). */
  loss: number;
  perplexity: number;
  /** Share of targets that are the model's top-1 prediction. */
  accuracy: number;
  /** Targets scored. */
  tokens: number;
}

/** One layer of a factorised student, measured on the teacher's own FFN inputs. */
export interface LayerQuality {
  /** ||MoE(x) - F(x)||^2 / ||F(x)||^2 over the scored tokens. */
  relError: number;
  /** Share of the router's choices that the PA label also makes. */
  routerAccuracy: number;
  /**
   * Entropy (nats) of the share of choices each expert gets from the student's router on its own
   * stream (ln N when balanced; a routing override does not change it).
   */
  loadEntropy: number;
  /** Each expert's share of the router's choices (the same counts as loadEntropy; sums to 1). */
  expertLoad: number[];
}

export interface StudentQuality extends ModelQuality {
  /** Mean KL(teacher || student) of the next-token distributions, in nats. */
  klToTeacher: number;
  /** Share of positions where student and teacher predict the same top-1 token. */
  top1Agreement: number;
  layers: LayerQuality[];
}

/** Running sums over batches. */
class Totals {
  teacherLoss = 0;
  studentLoss = 0;
  teacherCorrect = 0;
  studentCorrect = 0;
  agreement = 0;
  kl = 0;
  tokens = 0;
  readonly errorSquares: number[];
  readonly denseSquares: number[];
  readonly routerAgreement: number[];
  readonly load: Float64Array[];
  rows = 0;

  constructor(layers: number, experts: number) {
    this.errorSquares = new Array<number>(layers).fill(0);
    this.denseSquares = new Array<number>(layers).fill(0);
    this.routerAgreement = new Array<number>(layers).fill(0);
    this.load = Array.from({ length: layers }, () => new Float64Array(experts));
  }
}

/**
 * Scores a dense teacher and its factorised student on the same held-out batches: each one's
 * loss, perplexity and next-token accuracy; the student's KL to the teacher and top-1
 * agreement; and per layer, on the teacher's FFN inputs, the student FFN's relative error and
 * its router's agreement with the PA label, with the expert load on the student's own stream.
 * `route` replaces the student's routing (the random and oracle baselines).
 */
export async function compareWithTeacher(
  teacher: TrainableLlama,
  student: TrainableLlama,
  splits: SplitTokens,
  options: QualityOptions,
  route?: ForwardOptions['route'],
): Promise<{ dense: ModelQuality; student: StudentQuality }> {
  const moe = student.moe;
  if (!moe) throw new Error('the student is not a mixture of experts');
  const layers = student.config.num_hidden_layers;
  const totals = new Totals(layers, moe.experts);
  const gpu = teacher.parameters.get('model.embed_tokens.weight').engine.gpu;
  let scored = 0;
  for (const batch of evaluationBatches(splits, options)) {
    if (options.maxBatches && scored++ >= options.maxBatches) break;
    const ids = tensor(gpu, batch.inputs, [batch.inputs.length]);
    const targets = tensor(gpu, batch.targets, [batch.targets.length]);
    const sequences = { ids, batch: batch.rows, positions: options.sequenceLength };
    const teacherPass = noGrad(() => teacher.logits(sequences, { captureFeedForward: true }));
    teacherPass.activations.dispose(teacherPass.output);
    const studentPass = noGrad(() => student.logits(sequences, { route }));
    for (const logits of studentPass.routerLogits) studentPass.activations.handOver(logits);
    studentPass.activations.dispose(studentPass.output);
    await scoreTokens(totals, teacherPass.output, studentPass.output, targets, batch);
    for (let layer = 0; layer < layers; layer++) {
      await scoreLayer(totals, student, layer, teacherPass.feedForward[layer]!);
      await countLoad(totals, layer, studentPass.routerLogits[layer]!, moe.topK);
    }
    for (const capture of teacherPass.feedForward) {
      capture.input.dispose();
      capture.output.dispose();
    }
    for (const done of [teacherPass.output, studentPass.output, ids, targets]) done.dispose();
    for (const logits of studentPass.routerLogits) logits.dispose();
  }
  const { tokens } = totals;
  const quality = (loss: number, correct: number): ModelQuality => ({
    loss: loss / tokens,
    perplexity: Math.exp(loss / tokens),
    accuracy: correct / tokens,
    tokens,
  });
  return {
    dense: quality(totals.teacherLoss, totals.teacherCorrect),
    student: {
      ...quality(totals.studentLoss, totals.studentCorrect),
      klToTeacher: totals.kl / tokens,
      top1Agreement: totals.agreement / tokens,
      layers: Array.from({ length: layers }, (_, layer) => ({
        relError: totals.errorSquares[layer]! / totals.denseSquares[layer]!,
        routerAccuracy: totals.routerAgreement[layer]! / totals.rows,
        loadEntropy: entropy(totals.load[layer]!),
        expertLoad: shares(totals.load[layer]!),
      })),
    },
  };
}

/** Loss, top-1 and KL per position of one batch, counted where the mask says. */
async function scoreTokens(
  totals: Totals,
  teacherLogits: Tensor,
  studentLogits: Tensor,
  targets: Tensor,
  { mask, targets: target }: { mask: Uint8Array; targets: Int32Array },
): Promise<void> {
  const [teacherLosses, studentLosses, teacherTop, studentTop, kl] = noGrad(() => [
    tokenCrossEntropy(teacherLogits, targets),
    tokenCrossEntropy(studentLogits, targets),
    top1(teacherLogits),
    top1(studentLogits),
    rowKl(teacherLogits, studentLogits),
  ]);
  const read = async (values: Tensor) => {
    const data = values.dtype === 'i32' ? await values.readIndices() : await values.read();
    values.dispose();
    return data;
  };
  const [lossT, lossS, topT, topS, klRows] = [
    await read(teacherLosses),
    await read(studentLosses),
    await read(teacherTop),
    await read(studentTop),
    await read(kl),
  ];
  mask.forEach((counts, index) => {
    if (!counts) return;
    totals.tokens++;
    totals.teacherLoss += lossT[index]!;
    totals.studentLoss += lossS[index]!;
    totals.kl += klRows[index]!;
    if (topT[index] === target[index]) totals.teacherCorrect++;
    if (topS[index] === target[index]) totals.studentCorrect++;
    if (topT[index] === topS[index]) totals.agreement++;
  });
}

/** Each row's largest entry's index, i32 [rows] (ties to the lower index). */
function top1(logits: Tensor): Tensor {
  const ids = allocateTensor(logits.engine, 'top-1 of held-out logits', [logits.shape[0]!], 'i32');
  argmaxRows(logits.engine, logits, ids);
  return ids;
}

/** Per row: KL(softmax(p) || softmax(q)) = sum softmax(p) (log softmax(p) - log softmax(q)). */
function rowKl(p: Tensor, q: Tensor): Tensor {
  const logP = logSoftmax(p);
  const logQ = logSoftmax(q);
  const negatedLogQ = scale(logQ, -1);
  const difference = add(logP, negatedLogQ);
  const probabilities = softmax(p);
  const terms = mul(probabilities, difference);
  const rows = sum(terms, { axis: 1 });
  for (const done of [logP, logQ, negatedLogQ, difference, probabilities, terms]) done.dispose();
  return rows;
}

/** The student's FFN of `layer` on the teacher's FFN input there, against the teacher's output. */
async function scoreLayer(
  totals: Totals,
  student: TrainableLlama,
  layer: number,
  teacher: FeedForwardCapture,
): Promise<void> {
  const moe = student.moe!;
  const weights = moeWeightsOf(student.parameters, layer)!;
  const [errorSquares, denseSquares, agreement] = noGrad(() => {
    const activations = new Activations();
    const { output, routerLogits } = moeFeedForward(teacher.input, weights, moe, activations);
    const shared =
      weights.shared &&
      activations.handOver(sharedExpertForward(teacher.input, weights.shared, activations));
    const label = paLabel(teacher, weights, moe.topK, shared);
    const choice = topK(routerLogits, moe.topK);
    const agreed = routerAgreement(choice.mask, label, moe.topK);
    const negated = scale(teacher.output, -1);
    const error = add(output, negated);
    const squares = [sumOfSquares(error), sumOfSquares(teacher.output)] as const;
    for (const done of [choice.mask, choice.indices, negated, error]) done.dispose();
    shared?.dispose();
    label.dispose();
    activations.dispose();
    return [...squares, agreed] as const;
  });
  const rows = teacher.input.shape[0]!;
  const value = async (one: Tensor) => {
    const data = (await one.read())[0]!;
    one.dispose();
    return data;
  };
  totals.errorSquares[layer]! += await value(errorSquares);
  totals.denseSquares[layer]! += await value(denseSquares);
  totals.routerAgreement[layer]! += (await value(agreement)) * rows;
  if (layer === 0) totals.rows += rows;
}

function sumOfSquares(values: Tensor): Tensor {
  const squares = mul(values, values);
  const total = sum(squares);
  squares.dispose();
  return total;
}

/** Adds how many choices each expert got in this batch. */
async function countLoad(
  totals: Totals,
  layer: number,
  routerLogits: Tensor,
  k: number,
): Promise<void> {
  const share = noGrad(() => {
    const choice = topK(routerLogits, k);
    const perExpert = mean(choice.mask, { axis: 0 });
    choice.mask.dispose();
    choice.indices.dispose();
    return perExpert;
  });
  const values = await share.read();
  share.dispose();
  const rows = routerLogits.shape[0]!;
  values.forEach((value, expert) => (totals.load[layer]![expert]! += value * rows));
}

function shares(counts: Float64Array): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return Array.from(counts, (count) => (total > 0 ? count / total : 0));
}

function entropy(counts: Float64Array): number {
  const total = counts.reduce((sum, count) => sum + count, 0);
  let result = 0;
  for (const count of counts) if (count > 0) result -= (count / total) * Math.log(count / total);
  return result;
}
