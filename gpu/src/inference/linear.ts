import { noGrad } from '../autograd/grad-mode.ts';
import { batchMatmul } from '../ops/batch-matmul.ts';
import type { Engine } from '../runtime/engine.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { GEMV_MAX_TOKENS, gemv, streamsRows, swigluGemv, type InputNorm } from './kernels/gemv.ts';
import type { KernelTarget } from './kernels/kernel-target.ts';
import { addInPlace, placeColumns, rmsNormRows, swigluHalves } from './kernels/rows.ts';
import { blockStarts, type RowBlocks } from './row-blocks.ts';

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

  /**
   * x W^T + b as a new [tokens, out] tensor; with `norm`, of RMSNorm(x) instead, the norm fused
   * into the product where the kernel family streams rows.
   */
  project(x: Tensor, linear: Linear, norm?: InputNorm): Tensor {
    const { weight, bias } = linear;
    const [outputs, inputs] = weight.shape as [number, number];
    const tokens = x.shape[0]!;
    const fused = norm && streamsRows(this.target, tokens, inputs);
    if (norm && !fused) return this.withNormalised(x, norm, (h) => this.project(h, linear));
    if (this.takesMatmul(tokens)) {
      const product = noGrad(() => batchMatmul(x, weight, { transposeB: true }));
      if (bias) addInPlace(this.engine, product, undefined, bias, this.placeholder, tokens);
      return product;
    }
    const y = allocateTensor(this.engine, 'linear', [tokens, outputs], 'f32');
    gemv(
      this.engine,
      this.target,
      x,
      weight,
      bias ?? this.placeholder,
      y,
      tokens,
      { inputs, outputs, hasBias: bias !== undefined, accumulate: false },
      norm,
    );
    return y;
  }

  /**
   * silu(n Wg^T + bg) * (n Wu^T + bu) as a new [tokens, f] tensor, for a stacked [Wg; Wu] and
   * n = x, or RMSNorm(x) with `norm`.
   */
  projectSwiglu(x: Tensor, gateUp: Linear, norm?: InputNorm): Tensor {
    const [stacked, inputs] = gateUp.weight.shape as [number, number];
    const tokens = x.shape[0]!;
    if (!streamsRows(this.target, tokens, inputs)) {
      if (norm) return this.withNormalised(x, norm, (h) => this.projectSwiglu(h, gateUp));
      const product = this.project(x, gateUp);
      const activations = this.activations(tokens, stacked / 2);
      swigluHalves(this.engine, product, activations, tokens);
      product.dispose();
      return activations;
    }
    const activations = this.activations(tokens, stacked / 2);
    const { weight, bias } = gateUp;
    swigluGemv(
      this.engine,
      x,
      weight,
      bias ?? this.placeholder,
      bias !== undefined,
      activations,
      tokens,
      norm,
    );
    return activations;
  }

  /**
   * x W^T as a new [tokens, rows] tensor for W kept in blocks of rows (the LM head of a large
   * vocabulary), RMS-normalised first with `norm`: each block's product lands in its columns.
   */
  projectBlocks(x: Tensor, weight: RowBlocks, norm?: InputNorm): Tensor {
    const [only] = weight.blocks;
    if (weight.blocks.length === 1)
      return this.project(x, { weight: only!, bias: undefined }, norm);
    const tokens = x.shape[0]!;
    const y = allocateTensor(this.engine, 'linear', [tokens, weight.rows], 'f32');
    const starts = blockStarts(weight);
    weight.blocks.forEach((block, index) => {
      const part = this.project(x, { weight: block, bias: undefined }, norm);
      placeColumns(this.engine, part, y, starts[index]!);
      part.dispose();
    });
    return y;
  }

  private activations(tokens: number, width: number): Tensor {
    return allocateTensor(this.engine, 'ffn activations', [tokens, width], 'f32');
  }

  /** `use(RMSNorm(x))`, the normalised rows freed afterwards. */
  private withNormalised(x: Tensor, norm: InputNorm, use: (h: Tensor) => Tensor): Tensor {
    const [rows, columns] = x.shape as [number, number];
    const h = allocateTensor(this.engine, 'normalised', [rows, columns], 'f32');
    rmsNormRows(this.engine, this.target, x, norm.weight, h, rows, norm.eps);
    try {
      return use(h);
    } finally {
      h.dispose();
    }
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
