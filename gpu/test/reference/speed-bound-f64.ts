import type { ReferenceConfig } from './config-f64.ts';

/**
 * The speedup k of N experts allow over the dense model, counted here from the weight matrices a
 * token multiplies through (q, k, v, o; gate, up, down): only the FFN's share phi shrinks, to
 * k / N of itself, so the bound is 1 / (1 - phi + phi k / N).
 */
export function referenceSpeedupBound(
  config: ReferenceConfig,
  experts: number,
  topK: number,
): number {
  const d = config.hidden_size;
  const q = config.num_attention_heads * config.head_dim;
  const kv = config.num_key_value_heads * config.head_dim;
  const attentionWeights = d * q + 2 * d * kv + q * d;
  const ffnWeights = 3 * d * config.intermediate_size;
  const phi = ffnWeights / (attentionWeights + ffnWeights);
  return 1 / (1 - phi + (phi * topK) / experts);
}
