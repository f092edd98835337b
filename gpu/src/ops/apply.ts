import type { OpDefinition } from './op.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { isGradEnabled } from './grad-mode.ts';

let nextSequence = 0;

/** Runs `op` forward and, where an input needs a gradient, records it on the tape. */
export function applyOp<Attrs>(
  op: OpDefinition<Attrs>,
  inputs: readonly Tensor[],
  attrs: Attrs,
): Tensor {
  const { output, saved = [] } = op.forward(inputs, attrs);
  if (isGradEnabled() && inputs.some((input) => input.requiresGrad)) {
    output.requiresGrad = true;
    output.gradNode = { sequence: nextSequence++, op: op.name, inputs, attrs, saved };
  } else {
    for (const tensor of saved) tensor.dispose();
  }
  return output;
}
