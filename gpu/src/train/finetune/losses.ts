import { noGrad } from '../../ops/grad-mode.ts';
import {
  add,
  crossEntropy,
  klDivergence,
  mean,
  mul,
  scale,
  softmax,
  sum,
  topK,
} from '../../ops/index.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { Activations } from '../activations.ts';
import { moeFeedForward, type MoeSettings, type MoeWeights } from '../moe.ts';
import type { FeedForwardCapture } from '../trainable-llama.ts';
import type { PaLabel } from './pa-prior.ts';

/** How much each term weighs in the fine-tune's loss (FactorLLM: 0.05 PA, 0.01 balance). */
export interface LossWeights {
  ce: number;
  pa: number;
  balance: number;
  distill: number;
  /** Softmax temperature of the logit distillation (its KL is scaled by T^2). */
  temperature: number;
  /** Per-layer FFN distillation (ffnDistillLoss); 0 skips its forward and backward. */
  ffnDistill: number;
}

/**
 * FactorLLM's Prior-Approximate loss of one layer: KL(softmax(g) || softmax(P)), g the router's
 * logits and P the PA label's 0/1 mask, averaged over tokens (the form of the paper's code).
 */
export function paLoss(routerLogits: Tensor, label: PaLabel): Tensor {
  return klDivergence(routerLogits, label.mask);
}

/**
 * The Switch Transformer's load-balance loss of one layer: N * sum_e f_e * P_e, with f_e the share
 * of the layer's top-k choices that went to expert e (no gradient) and P_e the router's mean
 * probability of e. It is 1 when load and probability are uniform and grows as they concentrate.
 */
export function balanceLoss(
  routerLogits: Tensor,
  topKCount: number,
  activations: Activations,
): Tensor {
  const experts = routerLogits.shape[1]!;
  const track = <T extends Tensor>(output: T) => activations.track(output);
  const load = track(
    noGrad(() => {
      const { mask, indices } = topK(routerLogits, topKCount);
      indices.dispose();
      const share = mean(mask, { axis: 0 });
      mask.dispose();
      return share;
    }),
  );
  const probabilities = track(softmax(routerLogits));
  const meanProbability = track(mean(probabilities, { axis: 0 }));
  const product = track(mul(meanProbability, load));
  const total = track(sum(product));
  return track(scale(total, experts / topKCount));
}

/**
 * Per-layer FFN distillation of one layer: mean((M(h) - F(h))^2) / `meanSquare`, with M the
 * student's mixture of experts (routed by its own router) and F the teacher's FFN, both on the
 * teacher's FFN input h, and `meanSquare` the mean of F(h)^2 (meanSquareOf), so that 1 is an error
 * as large as the FFN's output whatever the layer's scale. Unlike the logit distillation it tells
 * every layer's experts what the dense FFN they were cut from would have added, token by token.
 */
export function ffnDistillLoss(
  teacher: FeedForwardCapture,
  weights: MoeWeights,
  settings: MoeSettings,
  activations: Activations,
  meanSquare: number,
): Tensor {
  const track = <T extends Tensor>(output: T) => activations.track(output);
  const elements = teacher.output.shape.reduce((count, size) => count * size, 1);
  const { output } = moeFeedForward(teacher.input, weights, settings, activations);
  const target = track(noGrad(() => scale(teacher.output, -1)));
  const difference = track(add(output, target));
  activations.release(output, target);
  const squared = track(mul(difference, difference));
  activations.release(difference);
  const total = track(sum(squared));
  activations.release(squared);
  return track(scale(total, 1 / (elements * meanSquare)));
}

/** The mean of `values` squared, read back (the FFN distillation's normaliser). */
export async function meanSquareOf(values: Tensor): Promise<number> {
  const total = noGrad(() => {
    const squared = mul(values, values);
    const summed = sum(squared);
    squared.dispose();
    return summed;
  });
  const [value] = await total.read();
  total.dispose();
  return value! / values.size;
}

/** The fine-tune's terms for one batch, each a one-element tensor, and their weighted total. */
export interface FinetuneLoss {
  total: Tensor;
  ce: Tensor;
  distill: Tensor;
  /** Per layer. */
  pa: Tensor[];
  balance: Tensor[];
  /** Per layer, empty when its weight is 0. */
  ffnDistill: Tensor[];
}

/**
 * CE to the targets, KL(teacher || student) at the temperature, and per layer the PA and balance
 * losses and (given) the FFN distillation, weighted into one total. Terms of weight 0 are still computed (for the log) but not
 * added, so they give no gradient. Every intermediate is tracked in `activations`, to be freed
 * after backward (keep the terms).
 */
export function finetuneLoss(
  {
    logits,
    targets,
    teacherLogits,
    routerLogits,
    labels,
    topKCount,
    ffnDistill = [],
  }: {
    logits: Tensor;
    targets: Tensor;
    teacherLogits: Tensor;
    routerLogits: readonly Tensor[];
    labels: readonly PaLabel[];
    topKCount: number;
    /** Per layer, from ffnDistillLoss; left out when its weight is 0. */
    ffnDistill?: readonly Tensor[];
  },
  weights: LossWeights,
  activations: Activations,
): FinetuneLoss {
  const track = <T extends Tensor>(output: T) => activations.track(output);
  const ce = track(crossEntropy(logits, targets));
  const distill = track(klDivergence(teacherLogits, logits, { temperature: weights.temperature }));
  const pa = routerLogits.map((layerLogits, layer) => track(paLoss(layerLogits, labels[layer]!)));
  const balance = routerLogits.map((layerLogits) =>
    balanceLoss(layerLogits, topKCount, activations),
  );
  const terms: [number, Tensor][] = [
    [weights.ce, ce],
    [weights.distill, distill],
    ...pa.map((term): [number, Tensor] => [weights.pa, term]),
    ...balance.map((term): [number, Tensor] => [weights.balance, term]),
    ...ffnDistill.map((term): [number, Tensor] => [weights.ffnDistill, term]),
  ];
  let total: Tensor | undefined;
  for (const [weight, term] of terms) {
    if (weight === 0) continue;
    const weighted = weight === 1 ? term : track(scale(term, weight));
    total = total ? track(add(total, weighted)) : weighted;
  }
  return {
    total: total ?? track(scale(ce, 0)),
    ce,
    distill,
    pa,
    balance,
    ffnDistill: [...ffnDistill],
  };
}
