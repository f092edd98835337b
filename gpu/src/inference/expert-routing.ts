import { gatherColumns, softmax } from '../ops/index.ts';
import { noGrad } from '../ops/grad-mode.ts';
import { tanh } from '../ops/tanh.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Projector } from './linear.ts';
import type { StoredExperts } from './stored-experts.ts';

/** Router logits [tokens, N] of the normalised rows `h`: Linear(d, N), or Linear(E, N) of tanh(Linear(d, E)). */
export function routerForward(
  projector: Projector,
  h: Tensor,
  { router, routerHidden }: Pick<StoredExperts, 'router' | 'routerHidden'>,
): Tensor {
  if (!routerHidden) return projector.project(h, router);
  const projected = projector.project(h, routerHidden);
  const hidden = noGrad(() => tanh(projected));
  projected.dispose();
  const logits = projector.project(hidden, router);
  hidden.dispose();
  return logits;
}

/** Softmax gating: each token's router probabilities renormalised over its chosen experts, [tokens, k]. */
export function softmaxGates(logits: Tensor, choices: Tensor): Tensor {
  return noGrad(() => {
    const chosen = gatherColumns(logits, choices);
    const gates = softmax(chosen);
    chosen.dispose();
    return gates;
  });
}
