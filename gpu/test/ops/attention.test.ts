import { describe } from 'vitest';
import { attention, repeatHeads, softmax, type Shape } from '../../src/index.ts';
import { checkOp } from './conformance.ts';

/** Causal GQA attention in float64, queries being the last positions of the keys. */
function referenceAttention(
  [q, k, v]: readonly Float64Array[],
  [qShape, kShape]: readonly Shape[],
): Float64Array {
  const [batch, heads, queries, size] = qShape as [number, number, number, number];
  const [, kvHeads, keys] = kShape as [number, number, number];
  const output = new Float64Array(q!.length);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const kvHead = Math.floor(h / (heads / kvHeads));
      const qAt = (i: number, d: number) => q![((b * heads + h) * queries + i) * size + d]!;
      const kvAt = (values: Float64Array, j: number, d: number) =>
        values[((b * kvHeads + kvHead) * keys + j) * size + d]!;
      for (let i = 0; i < queries; i++) {
        const visible = keys - queries + i + 1;
        const scores = Array.from({ length: visible }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < size; d++) dot += qAt(i, d) * kvAt(k!, j, d);
          return dot / Math.sqrt(size);
        });
        const max = Math.max(...scores);
        const weights = scores.map((score) => Math.exp(score - max));
        const total = weights.reduce((sum, weight) => sum + weight, 0);
        for (let d = 0; d < size; d++) {
          output[((b * heads + h) * queries + i) * size + d] = weights.reduce(
            (sum, weight, j) => sum + (weight / total) * kvAt(v!, j, d),
            0,
          );
        }
      }
    }
  }
  return output;
}

const qkv = (
  batch: number,
  heads: number,
  kvHeads: number,
  queries: number,
  keys: number,
  size: number,
) => [
  { shape: [batch, heads, queries, size] },
  { shape: [batch, kvHeads, keys, size] },
  { shape: [batch, kvHeads, keys, size] },
];

describe('attention', () => {
  checkOp({
    name: 'causal grouped-query attention',
    op: ([q, k, v]) => attention(q!, k!, v!),
    reference: referenceAttention,
    configs: [
      qkv(1, 1, 1, 1, 1, 1),
      qkv(1, 4, 2, 7, 7, 8),
      qkv(2, 3, 1, 33, 33, 4),
      // Decoding: one new query against a cache of keys, and a chunk of three.
      qkv(1, 4, 2, 1, 33, 8),
      qkv(2, 2, 2, 3, 7, 4),
    ],
    gradientConfigs: [qkv(1, 1, 1, 1, 1, 1), qkv(1, 2, 1, 5, 5, 4), qkv(1, 2, 2, 2, 4, 3)],
    forwardTolerance: 1e-5,
    backwardTolerance: 1e-4,
  });

  checkOp({
    name: 'repeatHeads',
    op: ([x]) => repeatHeads(x!, 3),
    // Output head h of batch b copies input head b * heads + h / 3: flat head index / 3.
    reference: ([x], [shape]) => {
      const block = shape![2]! * shape![3]!;
      return Float64Array.from(
        { length: x!.length * 3 },
        (_, index) => x![Math.floor(index / block / 3) * block + (index % block)]!,
      );
    },
    configs: [[{ shape: [1, 1, 1, 1] }], [{ shape: [2, 2, 7, 33] }]],
    gradientConfigs: [[{ shape: [1, 1, 1, 1] }], [{ shape: [2, 2, 3, 5] }]],
    forwardTolerance: 0,
    backwardTolerance: 1e-5,
  });

  checkOp({
    name: 'causal softmax',
    op: ([x]) => softmax(x!, { causal: true }),
    reference: ([x], [shape]) => {
      const [queries, keys] = shape!.slice(-2) as [number, number];
      const y = new Float64Array(x!.length);
      for (let start = 0; start < x!.length; start += keys) {
        const visible = keys - queries + ((start / keys) % queries) + 1;
        const row = [...x!.subarray(start, start + visible)];
        const max = Math.max(...row);
        const total = row.reduce((sum, value) => sum + Math.exp(value - max), 0);
        row.forEach((value, column) => (y[start + column] = Math.exp(value - max) / total));
      }
      return y;
    },
    configs: [[{ shape: [1, 1] }], [{ shape: [2, 33, 33] }], [{ shape: [7, 250] }]],
    gradientConfigs: [[{ shape: [1, 1] }], [{ shape: [2, 5, 5] }], [{ shape: [3, 7] }]],
    forwardTolerance: 1e-6,
    backwardTolerance: 1e-5,
  });
});
