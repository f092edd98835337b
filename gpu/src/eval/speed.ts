import type { ModelConfig } from '../model/config.ts';

/**
 * phi, the FFN's share of a layer's weight FLOPs per token: attention projections
 * 2d(q + 2 kv) + 2 q d (q, kv = head widths), SwiGLU FFN 6 d f.
 */
export function feedForwardShare(config: ModelConfig): number {
  const d = config.hidden_size;
  const queryWidth = config.num_attention_heads * config.head_dim;
  const kvWidth = config.num_key_value_heads * config.head_dim;
  const attention = 2 * d * (queryWidth + 2 * kvWidth) + 2 * queryWidth * d;
  const feedForward = 6 * d * config.intermediate_size;
  return feedForward / (attention + feedForward);
}

/** The best speedup running k of N experts allows: 1 / (1 - phi + phi k / N). */
export function speedupBound(config: ModelConfig, experts: number, topK: number): number {
  const phi = feedForwardShare(config);
  return 1 / (1 - phi + (phi * topK) / experts);
}

/** A configuration's tokens/s over the dense model's under the same settings. */
export function decodeSpeedup(tokS: number, denseTokS: number): number {
  return tokS / denseTokS;
}

/**
 * (speedup - 1) / (bound - 1): the share of the attainable gain over dense decoding realised
 * (1 = the bound, 0 = no faster than dense). Undefined (null) where the bound allows no gain.
 */
export function efficiency(speedup: number, bound: number): number | null {
  return bound > 1 ? (speedup - 1) / (bound - 1) : null;
}
