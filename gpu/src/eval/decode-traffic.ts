import type { ModelConfig } from '../model/config.ts';

/** Bytes of each cached key and value element (the KV cache is f32). */
const KV_ELEMENT_BYTES = 4;
/** Norm weights, biases and the embedding row are read as f32. */
const VECTOR_ELEMENT_BYTES = 4;

export interface DecodeTrafficOptions {
  /** Bytes of each element of the projection matrices as stored (4 for f32, 2 for f16). */
  matrixElementBytes: number;
  /** Sequences decoded together: one step reads the weights once for all of them. */
  batch: number;
  /** Tokens cached before the first generated one. */
  promptLength: number;
  /** Generated tokens; a step attends to promptLength + its index cached positions. */
  generateLength: number;
  /** Factorised: the router's experts and the share of FFN neurons each token runs. */
  experts?: { count: number; activeShare: number };
}

export interface DecodeTraffic {
  /** Weight bytes a decode step reads: every matrix once, the FFN's active share of its own. */
  weightBytes: number;
  /** Cache bytes a step reads, averaged over the generated positions, for the whole batch. */
  cacheBytes: number;
  stepBytes: number;
}

/**
 * The least memory traffic of one decode step, the quantity a weight-streaming decode is limited
 * by: each projection matrix read once (attention, the FFN or the chosen experts, the router, the
 * LM head), one embedding row per token, and every cached key and value attended. Activations are
 * left out (kilobytes against megabytes). With experts and batch > 1 each token is counted with
 * its own experts until the whole FFN is read, an upper bound on what the batch's union reads.
 */
export function decodeTraffic(config: ModelConfig, options: DecodeTrafficOptions): DecodeTraffic {
  const d = config.hidden_size;
  const queryWidth = config.num_attention_heads * config.head_dim;
  const kvWidth = config.num_key_value_heads * config.head_dim;
  const attention = d * (queryWidth + 2 * kvWidth) + queryWidth * d;
  const feedForward = 3 * d * config.intermediate_size;
  const ffnShare = options.experts ? Math.min(1, options.batch * options.experts.activeShare) : 1;
  const router = options.experts ? options.experts.count * d : 0;
  const perLayer = (attention + ffnShare * feedForward + router) * options.matrixElementBytes;
  const norms = (2 * config.num_hidden_layers + 1) * d * VECTOR_ELEMENT_BYTES;
  const lmHead = config.vocab_size * d * options.matrixElementBytes;
  const embeddingRows = options.batch * d * VECTOR_ELEMENT_BYTES;
  const weightBytes = config.num_hidden_layers * perLayer + norms + lmHead + embeddingRows;
  const meanCached = options.promptLength + (options.generateLength - 1) / 2;
  const cacheBytes =
    options.batch * config.num_hidden_layers * 2 * kvWidth * meanCached * KV_ELEMENT_BYTES;
  return { weightBytes, cacheBytes, stepBytes: weightBytes + cacheBytes };
}

/** Bytes a second that `stepBytes` a step at `tokS` tokens/s over `batch` sequences means, in GB/s. */
export function achievedGbS(stepBytes: number, tokS: number, batch: number): number {
  return (stepBytes * (tokS / batch)) / 1e9;
}
