import type { Tensor } from '../tensor/tensor.ts';

export interface ForwardResult {
  output: Tensor;
  /** Intermediates only backward needs (row statistics and the like); freed with the graph. */
  saved?: Tensor[];
}

export interface BackwardContext<Attrs> {
  inputs: readonly Tensor[];
  output: Tensor;
  saved: readonly Tensor[];
  attrs: Attrs;
  gradOutput: Tensor;
  /** Which inputs want a gradient; the others' entries may be undefined. */
  needsGrad: readonly boolean[];
}

/**
 * An op: `forward` validates its inputs and encodes kernels; `backward` returns one gradient per
 * input (new tensors, or `gradOutput` itself), encoded under no-grad. Methods, not function
 * properties, so definitions with different attrs share the registry's type.
 */
export interface OpDefinition<Attrs = undefined> {
  name: string;
  forward(inputs: readonly Tensor[], attrs: Attrs): ForwardResult;
  backward(context: BackwardContext<Attrs>): (Tensor | undefined)[];
}
