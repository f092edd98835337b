import { describe, expect, it } from 'vitest';
import { acquireGpu, attention, type Shape } from '../../../src/index.ts';
import {
  MAX_FUSED_HEAD_SIZE,
  trainingAttention,
} from '../../../src/ops/fused/training-attention.ts';
import { checkOp, inputValues, type InputSpec } from '../conformance.ts';
import { expectClose, gpuGradients, randomValues, upload } from '../helpers.ts';

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
        const scores = Array.from({ length: keys - queries + i + 1 }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < size; d++) dot += qAt(i, d) * kvAt(k!, j, d);
          return dot / Math.sqrt(size);
        });
        const max = Math.max(...scores);
        const weights = scores.map((score) => Math.exp(score - max));
        const total = weights.reduce((sum, weight) => sum + weight, 0);
        for (let d = 0; d < size; d++) {
          let value = 0;
          weights.forEach((weight, j) => (value += (weight / total) * kvAt(v!, j, d)));
          output[((b * heads + h) * queries + i) * size + d] = value;
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
): InputSpec[] => [
  { shape: [batch, heads, queries, size] },
  { shape: [batch, kvHeads, keys, size] },
  { shape: [batch, kvHeads, keys, size] },
];

describe('trainingAttention (fused, flash-attention style)', () => {
  // Blocks are 32 rows (16 for heads over 64): shapes below, across and off them; head sizes
  // that are whole vec4s and not.
  checkOp({
    name: 'against float64',
    op: ([q, k, v]) => trainingAttention(q!, k!, v!),
    reference: referenceAttention,
    configs: [
      qkv(1, 1, 1, 1, 1, 1),
      qkv(1, 4, 2, 7, 7, 8),
      qkv(2, 3, 1, 37, 37, 5),
      qkv(1, 2, 2, 33, 33, 64),
      // Queries the last of the keys (a chunk after a cache).
      qkv(1, 4, 2, 3, 21, 8),
      qkv(2, 2, 1, 19, 40, 4),
    ],
    gradientConfigs: [
      qkv(1, 1, 1, 1, 1, 1),
      qkv(1, 2, 1, 5, 5, 4),
      qkv(1, 2, 2, 2, 4, 3),
      qkv(1, 2, 1, 18, 18, 2),
      qkv(1, 1, 1, 3, 20, 2),
    ],
    forwardTolerance: 1e-5,
    backwardTolerance: 1e-4,
  });

  const compared: [string, InputSpec[]][] = [
    ['GQA, 45 positions, head 64', qkv(2, 4, 2, 45, 45, 64)],
    ['multi-head, 130 positions, head 8', qkv(1, 3, 3, 130, 130, 8)],
    ['queries after keys, head 128', qkv(1, 4, 1, 20, 53, 128)],
  ];
  // Up to a few minutes on a loaded 2-core machine: every head size compiles three large kernels.
  const COMPILE_TIMEOUT_MS = 300_000;
  it.each(compared)(
    'equals float64 and the attention op forward and backward: %s',
    async (_, specs) => {
      const gpu = await acquireGpu();
      const values = inputValues(specs, 5);
      const shapes = specs.map(({ shape }) => shape);
      const inputs = values.map((value, index) => upload(gpu, value, shapes[index]!));
      const [fused, composed] = [trainingAttention, attention].map((op) =>
        op(inputs[0]!, inputs[1]!, inputs[2]!),
      );
      const fusedValues = await fused!.read();
      expectClose(fusedValues, referenceAttention(values, shapes), 1e-5);
      expectClose(fusedValues, await composed!.read(), 2e-6);
      const weights = randomValues(fused!.size, 7);
      for (const tensor of [...inputs, fused!, composed!]) tensor.dispose();
      const gradientInputs = values.map((value, index) => ({
        values: value,
        shape: shapes[index]!,
      }));
      const [fusedGrads, composedGrads] = await Promise.all(
        [trainingAttention, attention].map((op) =>
          gpuGradients(([q, k, v]) => op(q!, k!, v!), gradientInputs, weights),
        ),
      );
      composedGrads!.forEach((grad, index) => expectClose(fusedGrads![index]!, grad!, 1e-5));
    },
    COMPILE_TIMEOUT_MS,
  );

  it('refuses mismatched shapes and head sizes over the limit, naming them', async () => {
    const gpu = await acquireGpu();
    const q = upload(gpu, new Float64Array(2 * 3 * 4), [1, 2, 3, 4]);
    const k = upload(gpu, new Float64Array(5 * 4), [1, 1, 5, 4]);
    const wide = upload(gpu, new Float64Array(2 * (MAX_FUSED_HEAD_SIZE + 1)), [
      1,
      1,
      2,
      MAX_FUSED_HEAD_SIZE + 1,
    ]);
    const fewKeys = upload(gpu, new Float64Array(2 * 4), [1, 1, 2, 4]);
    expect(() => trainingAttention(q, k, fewKeys)).toThrow(/k and v must both be/);
    expect(() => trainingAttention(q, fewKeys, fewKeys)).toThrow(/3 queries need at least/);
    expect(() => trainingAttention(wide, wide, wide)).toThrow(/head size 129 is over/);
    for (const tensor of [q, k, wide, fewKeys]) tensor.dispose();
  });
});
