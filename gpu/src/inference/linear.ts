import { noGrad } from '../autograd/grad-mode.ts';
import { batchMatmul } from '../ops/batch-matmul.ts';
import type { Engine } from '../runtime/engine.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { fusesSwiglu, GEMV_MAX_TOKENS, gemv, swigluGemv } from './kernels/gemv.ts';
import type { KernelTarget } from './kernels/kernel-target.ts';
import { addInPlace, swigluHalves } from './kernels/rows.ts';

/** A Hugging Face Linear: weight [out, in], optional bias [out]. */
export interface Linear {
  weight: Tensor;
  bias: Tensor | undefined;
}

/**
 * Linear layers of the forward pass: a few tokens (decoding) take the matrix-vector kernel, which
 * reads each weight once; more (prefill) take the tiled matmul.
 */
export class Projector {
  constructor(
    private readonly engine: Engine,
    private readonly target: KernelTarget,
    /** Bound where a kernel has no bias, never read. */
    private readonly placeholder: Tensor,
  ) {}

  /** Many tokens take the tiled matmul (on lavapipe too: faster there than any gemv tiling). */
  private takesMatmul(tokens: number): boolean {
    return tokens > GEMV_MAX_TOKENS;
  }

  /** x W^T + b as a new [tokens, out] tensor. */
  project(x: Tensor, { weight, bias }: Linear): Tensor {
    const [outputs, inputs] = weight.shape as [number, number];
    const tokens = x.shape[0]!;
    if (this.takesMatmul(tokens)) {
      const product = noGrad(() => batchMatmul(x, weight, { transposeB: true }));
      if (bias) addInPlace(this.engine, product, undefined, bias, this.placeholder, tokens);
      return product;
    }
    const y = allocateTensor(this.engine, 'linear', [tokens, outputs], 'f32');
    gemv(this.engine, this.target, x, weight, bias ?? this.placeholder, y, tokens, {
      inputs,
      outputs,
      hasBias: bias !== undefined,
      accumulate: false,
    });
    return y;
  }

  /** silu(x Wg^T + bg) * (x Wu^T + bu) as a new [tokens, f] tensor, for a stacked [Wg; Wu]. */
  projectSwiglu(x: Tensor, gateUp: Linear): Tensor {
    const [stacked, inputs] = gateUp.weight.shape as [number, number];
    const tokens = x.shape[0]!;
    const activations = allocateTensor(
      this.engine,
      'ffn activations',
      [tokens, stacked / 2],
      'f32',
    );
    if (fusesSwiglu(this.target, tokens, inputs)) {
      const { weight, bias } = gateUp;
      swigluGemv(
        this.engine,
        x,
        weight,
        bias ?? this.placeholder,
        bias !== undefined,
        activations,
        tokens,
      );
      return activations;
    }
    const product = this.project(x, gateUp);
    swigluHalves(this.engine, product, activations, tokens);
    product.dispose();
    return activations;
  }

  /** residual += x W^T + b. */
  projectInto(x: Tensor, { weight, bias }: Linear, residual: Tensor): void {
    const [outputs, inputs] = weight.shape as [number, number];
    const tokens = x.shape[0]!;
    if (this.takesMatmul(tokens)) {
      const product = noGrad(() => batchMatmul(x, weight, { transposeB: true }));
      addInPlace(this.engine, residual, product, bias, this.placeholder, tokens);
      product.dispose();
      return;
    }
    gemv(this.engine, this.target, x, weight, bias ?? this.placeholder, residual, tokens, {
      inputs,
      outputs,
      hasBias: bias !== undefined,
      accumulate: true,
    });
  }
}
