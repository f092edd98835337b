import {
  add,
  attention,
  batchMatmul,
  combineExperts,
  crossEntropy,
  embedding,
  expertMatmul,
  gatherColumns,
  groupByExpert,
  klDivergence,
  logSoftmax,
  mergeHeads,
  mul,
  repeatHeads,
  rmsNorm,
  rope,
  scale,
  silu,
  softmax,
  splitHeads,
  sum,
  swiglu,
  topK,
  type ExpertGroups,
} from '../ops/index.ts';
import { rmsNormRows } from '../ops/fused/rms-norm-rows.ts';
import { scaledCausalSoftmax } from '../ops/fused/scaled-causal-softmax.ts';
import { splitHeadsRope } from '../ops/fused/split-heads-rope.ts';
import { trainingAttention } from '../ops/fused/training-attention.ts';
import { tanh } from '../ops/tanh.ts';
import type { Shape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** The sizes of a small Llama-style model, its FFN split into experts, that the op cases use. */
export interface OpDims {
  tokens: number;
  width: number;
  vocabulary: number;
  /** Query heads. */
  heads: number;
  /** Key/value heads (grouped-query attention): they divide `heads`. */
  kvHeads: number;
  headWidth: number;
  /** Experts of an FFN layer, of which each token is routed to `topK`. */
  experts: number;
  topK: number;
  /** An expert's hidden width: the dense FFN's hidden width over `experts`. */
  expertWidth: number;
}

/** Llama-style, its FFN (hidden width 2816) split FactorLLM-style into 4 experts, top-2 routed. */
export const LLAMA_LIKE_DIMS: OpDims = {
  tokens: 512,
  width: 1024,
  vocabulary: 4096,
  heads: 8,
  kvHeads: 2,
  headWidth: 64,
  experts: 4,
  topK: 2,
  expertWidth: 704,
};

/**
 * One input: f32 values uniform in [-1, 1), or i32 ids below `idsBelow`; with `distinct`, the ids
 * along the last axis differ (each row drawn without replacement, as a router's top-k choices).
 */
export interface InputSpec {
  shape: Shape;
  idsBelow?: number;
  distinct?: boolean;
}

/** What a call returns: a tensor, or anything else that frees its tensors on dispose. */
export interface OpOutput {
  dispose(): void;
}

/**
 * Router choices (i32 [tokens, k] below `experts`, distinct per token) that the benchmark groups by
 * expert once, before timing: routing, not the op, so outside the timed calls.
 */
export interface RoutingSpec {
  choices: InputSpec;
  experts: number;
}

/** A representative forward call of one op, on freshly made inputs. */
export interface PlainOpCase {
  inputs: InputSpec[];
  routing?: undefined;
  call(inputs: Tensor[]): OpOutput;
}

/** A call of an expert op, which is also given the expert groups prepared from `routing`. */
export interface RoutedOpCase {
  inputs: InputSpec[];
  routing: RoutingSpec;
  call(inputs: Tensor[], groups: ExpertGroups): OpOutput;
}

export type OpCase = PlainOpCase | RoutedOpCase;

/**
 * Forward calls at `dims`, by op name (as in the model: activations [tokens, width]): registered
 * ops, and engine ops that are not registered ones (attention, topK, groupByExpert).
 */
export function opCases({
  tokens,
  width,
  vocabulary,
  heads,
  kvHeads,
  headWidth,
  experts,
  topK: k,
  expertWidth,
}: OpDims): Record<string, OpCase> {
  const activations = { shape: [tokens, width] };
  const ids = { shape: [tokens], idsBelow: vocabulary };
  const logits = { shape: [tokens, vocabulary] };
  // Attention holds [batch, heads, positions, headSize].
  const perHead = { shape: [1, heads, tokens, headWidth] };
  const perKvHead = { shape: [1, kvHeads, tokens, headWidth] };
  const choices = { shape: [tokens, k], idsBelow: experts, distinct: true };
  const routing = { choices, experts };
  return {
    add: { inputs: [activations, activations], call: ([a, b]) => add(a!, b!) },
    mul: { inputs: [activations, activations], call: ([a, b]) => mul(a!, b!) },
    scale: { inputs: [activations], call: ([x]) => scale(x!, 0.5) },
    silu: { inputs: [activations], call: ([x]) => silu(x!) },
    // The mlp router's hidden activation.
    tanh: { inputs: [{ shape: [tokens, 128] }], call: ([x]) => tanh(x!) },
    swiglu: { inputs: [activations, activations], call: ([gate, up]) => swiglu(gate!, up!) },
    sum: { inputs: [activations], call: ([x]) => sum(x!, { axis: -1 }) },
    softmax: { inputs: [activations], call: ([x]) => softmax(x!) },
    logSoftmax: { inputs: [activations], call: ([x]) => logSoftmax(x!) },
    rmsNorm: { inputs: [activations, { shape: [width] }], call: ([x, w]) => rmsNorm(x!, w!) },
    rmsNormRows: {
      inputs: [activations, { shape: [width] }],
      call: ([x, w]) => rmsNormRows(x!, w!, 1e-5),
    },
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
    // Grouped-query attention: the key/value heads repeated to serve every query head.
    repeatHeads: {
      inputs: [perKvHead],
      call: ([x]) => repeatHeads(x!, heads / kvHeads),
    },
    // A projection's rows as attention holds them, and back.
    splitHeads: {
      inputs: [{ shape: [tokens, heads * headWidth] }],
      call: ([x]) => splitHeads(x!, heads, tokens),
    },
    mergeHeads: { inputs: [perHead], call: ([x]) => mergeHeads(x!) },
    // Training's query and key projections split into heads and rotated in one pass.
    splitHeadsRope: {
      inputs: [{ shape: [tokens, heads * headWidth] }, { shape: [headWidth / 2] }],
      call: ([x, inverseFrequencies]) => splitHeadsRope(x!, inverseFrequencies!, heads, tokens),
    },
    // Training attention's scaled, causally masked scores.
    scaledCausalSoftmax: {
      inputs: [{ shape: [heads, tokens, tokens] }],
      call: ([scores]) => scaledCausalSoftmax(scores!, 1 / Math.sqrt(headWidth)),
    },
    // Attention scores: queries x keys^T per head.
    batchMatmul: {
      inputs: [{ shape: [heads, tokens, headWidth] }, { shape: [heads, tokens, headWidth] }],
      call: ([queries, keys]) => batchMatmul(queries!, keys!, { transposeB: true }),
    },
    attention: {
      inputs: [perHead, perKvHead, perKvHead],
      call: ([q, keys, values]) => attention(q!, keys!, values!),
    },
    trainingAttention: {
      inputs: [perHead, perKvHead, perKvHead],
      call: ([q, keys, values]) => trainingAttention(q!, keys!, values!),
    },
    // The router: each token's k best experts of its logits.
    topK: {
      inputs: [{ shape: [tokens, experts] }],
      call: ([routerLogits]) => {
        const { indices, mask } = topK(routerLogits!, k);
        return {
          dispose() {
            indices.dispose();
            mask.dispose();
          },
        };
      },
    },
    groupByExpert: { inputs: [choices], call: ([chosen]) => groupByExpert(chosen!, experts) },
    // The router's logits at each token's chosen experts (softmax gating).
    gatherColumns: {
      inputs: [{ shape: [tokens, experts] }, choices],
      call: ([routerLogits, chosen]) => gatherColumns(routerLogits!, chosen!),
    },
    // An expert FFN's first layer (gate or up): each token's rows into its k experts.
    expertMatmul: {
      inputs: [activations, { shape: [experts, width, expertWidth] }],
      routing,
      call: ([x, weights], groups) => expertMatmul(x!, weights!, groups, { from: 'tokens' }),
    },
    // The experts' outputs [tokens * k, width] weighted back into tokens.
    combineExperts: {
      inputs: [{ shape: [tokens * k, width] }, { shape: [tokens, k] }],
      routing,
      call: ([y, gates], groups) => combineExperts(y!, gates!, groups),
    },
  };
}
