import {
  add,
  batchMatmul,
  crossEntropy,
  embedding,
  klDivergence,
  logSoftmax,
  mul,
  repeatHeads,
  rmsNorm,
  rope,
  scale,
  silu,
  softmax,
  sum,
  swiglu,
} from '../ops/index.ts';
import type { Shape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** The sizes of a small Llama-style model that the op cases are drawn at. */
export interface OpDims {
  tokens: number;
  width: number;
  vocabulary: number;
  heads: number;
  headWidth: number;
}

export const LLAMA_LIKE_DIMS: OpDims = {
  tokens: 512,
  width: 1024,
  vocabulary: 4096,
  heads: 8,
  headWidth: 64,
};

/** One input: f32 values uniform in [-1, 1), or i32 ids below `idsBelow`. */
export interface InputSpec {
  shape: Shape;
  idsBelow?: number;
}

/** A representative forward call of one registered op. */
export interface OpCase {
  inputs: InputSpec[];
  call(inputs: Tensor[]): Tensor;
}

/** Forward calls at `dims`, by registered op name (as in the model: activations [tokens, width]). */
export function opCases({
  tokens,
  width,
  vocabulary,
  heads,
  headWidth,
}: OpDims): Record<string, OpCase> {
  const activations = { shape: [tokens, width] };
  const ids = { shape: [tokens], idsBelow: vocabulary };
  const logits = { shape: [tokens, vocabulary] };
  // Attention holds [batch, heads, positions, headSize].
  const perHead = { shape: [1, heads, tokens, headWidth] };
  return {
    add: { inputs: [activations, activations], call: ([a, b]) => add(a!, b!) },
    mul: { inputs: [activations, activations], call: ([a, b]) => mul(a!, b!) },
    scale: { inputs: [activations], call: ([x]) => scale(x!, 0.5) },
    silu: { inputs: [activations], call: ([x]) => silu(x!) },
    swiglu: { inputs: [activations, activations], call: ([gate, up]) => swiglu(gate!, up!) },
    sum: { inputs: [activations], call: ([x]) => sum(x!, { axis: -1 }) },
    softmax: { inputs: [activations], call: ([x]) => softmax(x!) },
    logSoftmax: { inputs: [activations], call: ([x]) => logSoftmax(x!) },
    rmsNorm: { inputs: [activations, { shape: [width] }], call: ([x, w]) => rmsNorm(x!, w!) },
    embedding: {
      inputs: [{ shape: [vocabulary, width] }, ids],
      call: ([weight, tokenIds]) => embedding(weight!, tokenIds!),
    },
    crossEntropy: {
      inputs: [logits, ids],
      call: ([scores, targets]) => crossEntropy(scores!, targets!),
    },
    klDivergence: { inputs: [logits, logits], call: ([p, q]) => klDivergence(p!, q!) },
    rope: { inputs: [perHead], call: ([x]) => rope(x!) },
    // Grouped-query attention: each key/value head serves four query heads.
    repeatHeads: { inputs: [perHead], call: ([x]) => repeatHeads(x!, 4) },
    // Attention scores: queries x keys^T per head.
    batchMatmul: {
      inputs: [{ shape: [heads, tokens, headWidth] }, { shape: [heads, tokens, headWidth] }],
      call: ([queries, keys]) => batchMatmul(queries!, keys!, { transposeB: true }),
    },
  };
}
