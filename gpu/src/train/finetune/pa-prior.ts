import { noGrad } from '../../ops/grad-mode.ts';
import {
  add,
  expertErrors,
  expertMatmul,
  groupByExpert,
  mul,
  scale,
  sum,
  swiglu,
  topK,
} from '../../ops/index.ts';
import { tensor } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { FeedForwardCapture } from '../trainable-llama.ts';

/** One layer's experts as the mixture-of-experts FFN holds them: [N, d, w], [N, d, w], [N, w, d]. */
export interface ExpertWeights {
  gate: Tensor;
  up: Tensor;
  down: Tensor;
}

/** FactorLLM's Prior-Approximate label of one layer's tokens. */
export interface PaLabel {
  /** f32 [tokens, N]: 1 for the k experts that best approximate k/N of the dense output. */
  mask: Tensor;
  /** f32 [tokens, N]: each expert's mean squared error against that share. */
  errors: Tensor;
  dispose(): void;
}

/** i32 [tokens, N] whose every row lists experts 0..N-1: every token routed to every expert. */
function everyExpert(like: Tensor, tokens: number, experts: number): Tensor {
  const choices = new Int32Array(tokens * experts);
  choices.forEach((_, index) => (choices[index] = index % experts));
  return tensor(like.engine.gpu, choices, [tokens, experts]);
}

/**
 * The PA prior of a layer: on the dense teacher's FFN input h (its own residual stream) and
 * output F(h), every expert's output E_e(h) is computed and scored by
 * l_e = mean((E_e(h) - (k/N) F(h))^2); the label is the k experts of smallest error. `shared`,
 * when the student has an always-on shared expert, is its output S(h): the routed experts then
 * approximate k/N of F(h) - S(h).
 */
export function paLabel(
  teacher: FeedForwardCapture,
  experts: ExpertWeights,
  topKCount: number,
  shared?: Tensor,
): PaLabel {
  return noGrad(() => {
    const [tokens] = teacher.input.shape as [number, number];
    const count = experts.gate.shape[0]!;
    const choices = everyExpert(teacher.input, tokens, count);
    const groups = groupByExpert(choices, count);
    const gated = expertMatmul(teacher.input, experts.gate, groups, { from: 'tokens' });
    const up = expertMatmul(teacher.input, experts.up, groups, { from: 'tokens' });
    const hidden = swiglu(gated, up);
    const outputs = expertMatmul(hidden, experts.down, groups, { from: 'groups' });
    const routed = shared ? residual(teacher.output, shared) : teacher.output;
    const errors = expertErrors(outputs, routed, groups, topKCount / count);
    const negated = scale(errors, -1);
    const choice = topK(negated, topKCount);
    for (const done of [choices, gated, up, hidden, outputs, negated, choice.indices])
      done.dispose();
    if (routed !== teacher.output) routed.dispose();
    groups.dispose();
    return {
      mask: choice.mask,
      errors,
      dispose() {
        choice.mask.dispose();
        errors.dispose();
      },
    };
  });
}

/** F(h) - S(h). */
function residual(dense: Tensor, shared: Tensor): Tensor {
  const negated = scale(shared, -1);
  const difference = add(dense, negated);
  negated.dispose();
  return difference;
}

/**
 * The share of a layer's routed choices that the PA label also makes: sum(router mask * label
 * mask) / (tokens * k), as a one-element tensor (equal to top-1 accuracy when k = 1).
 */
export function routerAgreement(routerMask: Tensor, label: PaLabel, topKCount: number): Tensor {
  return noGrad(() => {
    const both = mul(routerMask, label.mask);
    const total = sum(both);
    const share = scale(total, 1 / (routerMask.shape[0]! * topKCount));
    both.dispose();
    total.dispose();
    return share;
  });
}
