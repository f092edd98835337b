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
