import { describe, it } from 'vitest';
import { acquireGpu, attention } from '../../../src/index.ts';
import { matmulAttention } from '../../../src/ops/fused/matmul-attention.ts';
import { scaledCausalSoftmax } from '../../../src/ops/fused/scaled-causal-softmax.ts';
import { checkOp, inputValues, type InputSpec } from '../conformance.ts';
import { expectClose, gpuGradients, randomValues, upload } from '../helpers.ts';

const FACTOR = 0.37;

describe('scaledCausalSoftmax (fused scale and causal softmax, a row per invocation)', () => {
  checkOp({
    name: 'against float64',
    op: ([x]) => scaledCausalSoftmax(x!, FACTOR),
    reference: ([x], [shape]) => {
      const [queries, keys] = shape!.slice(-2) as [number, number];
      const y = new Float64Array(x!.length);
      for (let start = 0; start < x!.length; start += keys) {
        const visible = keys - queries + ((start / keys) % queries) + 1;
        const row = [...x!.subarray(start, start + visible)].map((value) => value * FACTOR);
        const max = Math.max(...row);
        const total = row.reduce((sum, value) => sum + Math.exp(value - max), 0);
        row.forEach((value, column) => (y[start + column] = Math.exp(value - max) / total));
      }
      return y;
    },
    configs: [
      [{ shape: [1, 1] }],
      [{ shape: [2, 33, 33] }],
      [{ shape: [3, 7, 250] }],
      [{ shape: [2, 3, 65, 65] }],
    ],
    gradientConfigs: [[{ shape: [1, 1] }], [{ shape: [2, 5, 5] }], [{ shape: [3, 7] }]],
    forwardTolerance: 1e-6,
    backwardTolerance: 1e-5,
  });
});

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

describe('matmulAttention', () => {
  const compared: [string, InputSpec[]][] = [
    ['GQA, 45 positions, head 64', qkv(2, 4, 2, 45, 45, 64)],
    ['multi-head, 130 positions, head 5', qkv(1, 3, 3, 130, 130, 5)],
    ['queries after keys', qkv(1, 4, 1, 20, 53, 8)],
  ];
  it.each(compared)('equals the attention op forward and backward: %s', async (_, specs) => {
    const gpu = await acquireGpu();
    const values = inputValues(specs, 5);
    const shapes = specs.map(({ shape }) => shape);
    const inputs = values.map((value, index) => upload(gpu, value, shapes[index]!));
    const [fused, composed] = [matmulAttention, attention].map((op) =>
      op(inputs[0]!, inputs[1]!, inputs[2]!),
    );
    expectClose(await fused!.read(), await composed!.read(), 1e-6);
    const weights = randomValues(fused!.size, 7);
    for (const tensor of [...inputs, fused!, composed!]) tensor.dispose();
    const gradientInputs = values.map((value, index) => ({ values: value, shape: shapes[index]! }));
    const [fusedGrads, composedGrads] = await Promise.all(
      [matmulAttention, attention].map((op) =>
        gpuGradients(([q, k, v]) => op(q!, k!, v!), gradientInputs, weights),
      ),
    );
    composedGrads!.forEach((grad, index) => expectClose(fusedGrads![index]!, grad!, 1e-5));
  });
});
