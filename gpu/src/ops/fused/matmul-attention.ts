/**
 * The attention op's products with its scale and causal softmax fused (scaledCausalSoftmax): the
 * same maths, arguments and gradients as `attention`, two fewer dispatches a pass each way and no
 * workgroup-barrier softmax. Checked against the attention op in gpu/test/ops/fused/.
 */
import { attention } from '../attention.ts';
import { batchMatmul } from '../batch-matmul.ts';
import { repeatHeads } from '../repeat-heads.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { scaledCausalSoftmax } from './scaled-causal-softmax.ts';

/**
 * Causal grouped-query attention for training: q [batch, heads, queries, headSize], k and v
 * [batch, kvHeads, keys, headSize] (`attention` checks the shapes and says what is wrong).
 */
export function matmulAttention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const shapesHold =
    q.shape.length === 4 &&
    k.shape.length === 4 &&
    v.shape.length === 4 &&
    q.shape[0] === k.shape[0] &&
    q.shape[3] === k.shape[3] &&
    k.shape.every((dim, axis) => dim === v.shape[axis]) &&
    q.shape[1]! % k.shape[1]! === 0;
  if (!shapesHold) return attention(q, k, v);
  const groups = q.shape[1]! / k.shape[1]!;
  const keysPerHead = groups > 1 ? repeatHeads(k, groups) : k;
  const valuesPerHead = groups > 1 ? repeatHeads(v, groups) : v;
  const products = batchMatmul(q, keysPerHead, { transposeB: true });
  const probabilities = scaledCausalSoftmax(products, 1 / Math.sqrt(q.shape[3]!));
  const output = batchMatmul(probabilities, valuesPerHead);
  // Intermediates on the tape are freed by backward; the others are freed here.
  for (const intermediate of [keysPerHead, valuesPerHead, products, probabilities]) {
    if (intermediate !== k && intermediate !== v && !intermediate.gradNode) intermediate.dispose();
  }
  return output;
}
