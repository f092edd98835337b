import { noGrad } from '../ops/grad-mode.ts';
import { batchMatmul, laneBlockedGeometry, laneBlockedProduct } from '../ops/batch-matmul.ts';
import type { Engine } from '../runtime/engine.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { GEMV_MAX_TOKENS, gemv } from '../ops/fused/gemv.ts';
import type { KernelTarget } from '../kernel/kernel-target.ts';
import {
  MAX_STREAMED_TOKENS,
  streamProduct,
  streamsRows,
  streamSwiglu,
  type InputNorm,
  type RowStreamLaunch,
} from '../ops/fused/row-streams.ts';
import { addInPlace, placeColumns, rmsNormRows, swigluHalves } from '../ops/fused/rows.ts';
import { blockSpans, type RowBlocks } from '../kernel/row-blocks.ts';

/** A Hugging Face Linear: weight [out, in], optional bias [out]. */
export interface Linear {
  weight: Tensor;
  bias: Tensor | undefined;
  /**
   * Set when `weight` is stored lane-blocked for the row-streaming kernels (see laneBlock): the
   * rows it holds before padding. Such a weight is read by those kernels alone.
   */
  laneBlockedRows?: number;
}

/**
 * Linear layers of the forward pass. On the CPU kernel family, rows of whole vec4s stream through
 * the row-streaming kernels (a lane-blocked weight always does, in launches of up to
 * MAX_STREAMED_TOKENS tokens); otherwise a few tokens (decoding) take the subgroup matrix-vector
 * kernel, which reads each weight once, and more (prefill) take the tiled matmul.
 */
export class Projector {
  constructor(
    private readonly engine: Engine,
    private readonly target: KernelTarget,
    /** Bound where a kernel has no bias, never read. */
    private readonly placeholder: Tensor,
  ) {}

  /**
   * x W^T + b as a new [tokens, out] tensor; with `norm`, of RMSNorm(x) instead, the norm fused
   * into the product where the rows stream.
   */
  project(x: Tensor, linear: Linear, norm?: InputNorm): Tensor {
    const tokens = x.shape[0]!;
    const product = this.laneBlockedMatmul(x, linear, norm, rowsOf(linear));
    if (product) {
      if (linear.bias)
        addInPlace(this.engine, product, undefined, linear.bias, this.placeholder, tokens);
      return product;
    }
    if (this.streams(linear, tokens)) {
      const y = allocateTensor(this.engine, 'linear', [tokens, rowsOf(linear)], 'f32');
      this.inTokenGroups(x, linear, y, norm, (launch) => streamProduct(this.engine, launch, false));
      return y;
    }
    if (norm) return this.withNormalised(x, norm, (h) => this.project(h, linear));
    const { weight, bias } = linear;
    if (tokens > GEMV_MAX_TOKENS) {
      const product = noGrad(() => batchMatmul(x, weight, { transposeB: true }));
      if (bias) addInPlace(this.engine, product, undefined, bias, this.placeholder, tokens);
      return product;
    }
    const y = allocateTensor(this.engine, 'linear', [tokens, weight.shape[0]!], 'f32');
    this.gemv(x, linear, y, false);
    return y;
  }

  /**
   * silu(n Wg^T + bg) * (n Wu^T + bu) as a new [tokens, f] tensor, for a stacked [Wg; Wu] and
   * n = x, or RMSNorm(x) with `norm`.
   */
  projectSwiglu(x: Tensor, gateUp: Linear, norm?: InputNorm): Tensor {
    const tokens = x.shape[0]!;
    const width = rowsOf(gateUp) / 2;
    // Lane-blocked, each half is padded: the product spans both padded halves (a bias, laid out
    // unpadded, goes the row-streaming way).
    const blocked = gateUp.bias
      ? undefined
      : this.laneBlockedMatmul(x, gateUp, norm, gateUp.weight.shape[0]!);
    if (blocked) {
      const activations = this.activations(tokens, width);
      swigluHalves(this.engine, blocked, activations, tokens, blocked.shape[1]! / 2);
      blocked.dispose();
      return activations;
    }
    if (this.streams(gateUp, tokens)) {
      const activations = this.activations(tokens, width);
      this.inTokenGroups(x, gateUp, activations, norm, (launch) =>
        streamSwiglu(this.engine, { ...launch, outputs: width }),
      );
      return activations;
    }
    if (norm) return this.withNormalised(x, norm, (h) => this.projectSwiglu(h, gateUp));
    const product = this.project(x, gateUp);
    const activations = this.activations(tokens, width);
    swigluHalves(this.engine, product, activations, tokens);
    product.dispose();
    return activations;
  }

  /** residual += x W^T + b. */
  projectInto(x: Tensor, linear: Linear, residual: Tensor): void {
    const tokens = x.shape[0]!;
    const product = this.laneBlockedMatmul(x, linear, undefined, rowsOf(linear));
    if (product) {
      addInPlace(this.engine, residual, product, linear.bias, this.placeholder, tokens);
      product.dispose();
      return;
    }
    if (this.streams(linear, tokens)) {
      this.inTokenGroups(x, linear, residual, undefined, (launch) =>
        streamProduct(this.engine, launch, true),
      );
      return;
    }
    const { weight, bias } = linear;
    if (tokens > GEMV_MAX_TOKENS) {
      const product = noGrad(() => batchMatmul(x, weight, { transposeB: true }));
      addInPlace(this.engine, residual, product, bias, this.placeholder, tokens);
      product.dispose();
      return;
    }
    this.gemv(x, linear, residual, true);
  }

  /**
   * x W^T as a new [tokens, rows] tensor for W kept in blocks of rows (the LM head of a large
   * vocabulary), RMS-normalised first with `norm`: each block's product lands in its columns.
   */
  projectBlocks(x: Tensor, weight: RowBlocks, norm?: InputNorm): Tensor {
    const blocks = blockLinears(weight);
    if (blocks.length === 1) return this.project(x, blocks[0]!, norm);
    const tokens = x.shape[0]!;
    // Normalised once for all blocks, unless one row-streaming launch per block normalises as it
    // reads (more tokens would normalise again in every launch or matmul).
    if (norm && (tokens > MAX_STREAMED_TOKENS || !this.streams(blocks[0]!, tokens)))
      return this.withNormalised(x, norm, (h) => this.projectBlocks(h, weight));
    const y = allocateTensor(this.engine, 'linear', [tokens, weight.rows], 'f32');
    const spans = blockSpans(weight);
    blocks.forEach((block, index) => {
      const part = this.project(x, block, norm);
      placeColumns(this.engine, part, y, spans[index]!.first);
      part.dispose();
    });
    return y;
  }

  /**
   * The product with a lane-blocked weight's first `rows` rows by the windowed matmul, for more
   * tokens than one row-streaming launch takes, where that kernel serves; else undefined.
   */
  private laneBlockedMatmul(
    x: Tensor,
    linear: Linear,
    norm: InputNorm | undefined,
    rows: number,
  ): Tensor | undefined {
    if (linear.laneBlockedRows === undefined || x.shape[0]! <= MAX_STREAMED_TOKENS)
      return undefined;
    const geometry = laneBlockedGeometry(x, linear.weight, rows);
    if (!geometry) return undefined;
    if (!norm) return noGrad(() => laneBlockedProduct(x, linear.weight, geometry));
    return this.withNormalised(x, norm, (h) =>
      noGrad(() => laneBlockedProduct(h, linear.weight, geometry)),
    );
  }

  /** Whether `linear` takes the row-streaming kernels for `tokens` tokens. */
  private streams(linear: Linear, tokens: number): boolean {
    if (!streamsRows(this.target, linear.weight.shape[1]!)) return false;
    return linear.laneBlockedRows !== undefined || tokens <= MAX_STREAMED_TOKENS;
  }

  /** One row-streaming launch per MAX_STREAMED_TOKENS rows of x, writing the same rows of y. */
  private inTokenGroups(
    x: Tensor,
    linear: Linear,
    y: Tensor,
    norm: InputNorm | undefined,
    launch: (group: RowStreamLaunch) => void,
  ): void {
    const tokens = x.shape[0]!;
    for (let firstToken = 0; firstToken < tokens; firstToken += MAX_STREAMED_TOKENS) {
      launch({
        x,
        weight: linear.weight,
        bias: linear.bias ?? this.placeholder,
        hasBias: linear.bias !== undefined,
        y,
        firstToken,
        tokens: Math.min(MAX_STREAMED_TOKENS, tokens - firstToken),
        outputs: rowsOf(linear),
        laneBlocked: linear.laneBlockedRows !== undefined,
        norm,
      });
    }
  }

  private gemv(x: Tensor, { weight, bias }: Linear, y: Tensor, accumulate: boolean): void {
    const [outputs, inputs] = weight.shape as [number, number];
    gemv(this.engine, x, weight, bias ?? this.placeholder, y, x.shape[0]!, {
      inputs,
      outputs,
      hasBias: bias !== undefined,
      accumulate,
    });
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
}

/** Rows of the product `linear` computes: its weight's, less any lane-block padding. */
function rowsOf(linear: Linear): number {
  return linear.laneBlockedRows ?? linear.weight.shape[0]!;
}

/** Each block of `weight` as a Linear without bias. */
function blockLinears(weight: RowBlocks): Linear[] {
  const spans = blockSpans(weight);
  return weight.blocks.map((block, index) => ({
    weight: block,
    bias: undefined,
    ...(weight.laneBlocked ? { laneBlockedRows: spans[index]!.rows } : {}),
  }));
}
