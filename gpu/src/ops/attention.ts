import { formatShape, sameShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { batchMatmul } from './batch-matmul.ts';
import { describeCall } from '../kernel/checks.ts';
import { repeatHeads } from './repeat-heads.ts';
import { scale } from './scale.ts';
import { softmax } from './softmax.ts';

/**
 * Causal scaled dot-product attention with grouped-query heads, composed of differentiable ops:
 * softmax(q k^T / sqrt(headSize), causal) v. q is [batch, heads, queries, headSize]; k and v are
 * [batch, kvHeads, keys, headSize] with kvHeads dividing heads. The queries are the last
 * `queries` positions of the keys, so training (queries = keys) and decoding against a KV cache
 * (one query, all cached keys) share it. The score matrix is materialised: no fused kernel yet.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const call = describeCall('attention', [q, k, v]);
  if (q.shape.length !== 4 || k.shape.length !== 4 || v.shape.length !== 4) {
    throw new Error(`${call}: q, k and v must be [batch, heads, positions, headSize]`);
  }
  const [batch, heads, , headSize] = q.shape as [number, number, number, number];
  const [kvBatch, kvHeads, , kvHeadSize] = k.shape as [number, number, number, number];
  if (
    !sameShape(k.shape, v.shape) ||
    kvBatch !== batch ||
    kvHeadSize !== headSize ||
    heads % kvHeads !== 0
  ) {
    throw new Error(
      `${call}: k and v must both be [${batch}, kvHeads, keys, ${headSize}] with kvHeads ` +
        `dividing ${heads}, got ${formatShape(k.shape)} and ${formatShape(v.shape)}`,
    );
  }
  const groups = heads / kvHeads;
  const keysPerHead = groups > 1 ? repeatHeads(k, groups) : k;
  const valuesPerHead = groups > 1 ? repeatHeads(v, groups) : v;
  const products = batchMatmul(q, keysPerHead, { transposeB: true });
  const scores = scale(products, 1 / Math.sqrt(headSize));
  const probabilities = softmax(scores, { causal: true });
  const output = batchMatmul(probabilities, valuesPerHead);
  // Intermediates on the tape are freed by backward; the others are freed here.
  for (const intermediate of [keysPerHead, valuesPerHead, products, scores, probabilities]) {
    if (intermediate !== k && intermediate !== v && !intermediate.gradNode) intermediate.dispose();
  }
  return output;
}
