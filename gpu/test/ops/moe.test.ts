import { describe, expect, it } from 'vitest';
import {
  acquireGpu,
  batchMatmul,
  combineExperts,
  expertMatmul,
  groupByExpert,
  swiglu,
  tensor,
  type Shape,
  type Tensor,
} from '../../src/index.ts';
import { checkOp } from './conformance.ts';
import { expectClose, randomValues } from './helpers.ts';

const siluOf = (x: number) => x / (1 + Math.exp(-x));

/** x [inner] times expert e's [inner, outer] slice of stacked weights. */
function rowTimesExpert(
  x: ArrayLike<number>,
  weights: Float64Array,
  e: number,
  inner: number,
  outer: number,
) {
  return Array.from({ length: outer }, (_, c) => {
    let total = 0;
    for (let i = 0; i < inner; i++) total += x[i]! * weights[(e * inner + i) * outer + c]!;
    return total;
  });
}

/** sum over a token's choices of gate * down_e(silu(gate_e(x)) * up_e(x)), in float64. */
function referenceMoe(
  [x, choices, gateWeights, upWeights, downWeights, gates]: readonly Float64Array[],
  [xShape, choiceShape, , upShape]: readonly Shape[],
): Float64Array {
  const [tokens, width] = xShape as [number, number];
  const topK = choiceShape![1]!;
  const hidden = upShape![2]!;
  const out = new Float64Array(tokens * width);
  for (let t = 0; t < tokens; t++) {
    const row = x!.subarray(t * width, (t + 1) * width);
    for (let j = 0; j < topK; j++) {
      const e = choices![t * topK + j]!;
      const gated = rowTimesExpert(row, gateWeights!, e, width, hidden);
      const up = rowTimesExpert(row, upWeights!, e, width, hidden);
      const activated = gated.map((value, index) => siluOf(value) * up[index]!);
      const down = rowTimesExpert(activated, downWeights!, e, hidden, width);
      down.forEach((value, c) => (out[t * width + c]! += gates![t * topK + j]! * value));
    }
  }
  return out;
}

function moeFeedForward([x, choices, gateWeights, upWeights, downWeights, gates]: Tensor[]) {
  const groups = groupByExpert(choices!, gateWeights!.shape[0]!);
  const gated = expertMatmul(x!, gateWeights!, groups, { from: 'tokens' });
  const up = expertMatmul(x!, upWeights!, groups, { from: 'tokens' });
  const down = expertMatmul(swiglu(gated, up), downWeights!, groups, { from: 'groups' });
  return combineExperts(down, gates!, groups);
}

const moeInputs = (
  tokens: number,
  width: number,
  experts: number,
  topK: number,
  hidden: number,
) => [
  { shape: [tokens, width] },
  { shape: [tokens, topK], idsBelow: experts },
  { shape: [experts, width, hidden] },
  { shape: [experts, width, hidden] },
  { shape: [experts, hidden, width] },
  { shape: [tokens, topK] },
];

describe('mixture of experts', () => {
  checkOp({
    name: 'SwiGLU expert FFN: group by expert, chosen experts only, weighted scatter',
    op: moeFeedForward,
    reference: referenceMoe,
    configs: [
      moeInputs(1, 1, 1, 1, 1),
      moeInputs(7, 33, 4, 2, 9),
      moeInputs(33, 16, 8, 1, 7),
      moeInputs(250, 8, 4, 3, 5),
      // Widths in whole vec4s: the tiled forward's vec4 layout.
      moeInputs(37, 12, 4, 2, 20),
    ],
    gradientConfigs: [moeInputs(1, 1, 1, 1, 1), moeInputs(5, 4, 3, 2, 3), moeInputs(6, 3, 4, 1, 2)],
    forwardTolerance: 1e-5,
    backwardTolerance: 1e-4,
  });

  it('groups assignments by expert in token order, marking invalid ids', async () => {
    const gpu = await acquireGpu();
    const choices = Int32Array.of(2, 0, 1, 2, 2, 5, 0, 1);
    const groups = groupByExpert(tensor(gpu, choices, [4, 2]), 3);
    expect([...(await groups.order.readIndices())].slice(0, 7)).toEqual([1, 6, 2, 7, 0, 3, 4]);
    expect([...(await groups.offsets.readIndices())]).toEqual([0, 2, 4, 7]);
    expect([...(await groups.positions.readIndices())]).toEqual([4, 0, 2, 5, 6, -1, 1, 3]);
    groups.dispose();
  });

  it('equals the dense SwiGLU FFN when every expert is chosen with gate 1', async () => {
    const gpu = await acquireGpu();
    const [tokens, width, hidden, experts] = [7, 8, 12, 4];
    const slice = hidden / experts;
    const dense = [
      randomValues(width * hidden, 1),
      randomValues(width * hidden, 2),
      randomValues(hidden * width, 3),
    ];
    // Expert e owns neurons [e * slice, (e + 1) * slice): columns of gate/up, rows of down.
    const stackColumns = (weights: Float64Array) =>
      Float32Array.from({ length: experts * width * slice }, (_, index) => {
        const e = Math.floor(index / (width * slice));
        const i = Math.floor(index / slice) % width;
        return weights[i * hidden + e * slice + (index % slice)]!;
      });
    const x = tensor(gpu, Float32Array.from(randomValues(tokens * width, 4)), [tokens, width]);
    const [gate, up, down] = dense.map((weights, index) =>
      tensor(gpu, Float32Array.from(weights), index < 2 ? [width, hidden] : [hidden, width]),
    );
    const denseOut = batchMatmul(swiglu(batchMatmul(x, gate!), batchMatmul(x, up!)), down!);
    const choices = Int32Array.from({ length: tokens * experts }, (_, index) => index % experts);
    const moeOut = moeFeedForward([
      x,
      tensor(gpu, choices, [tokens, experts]),
      tensor(gpu, stackColumns(dense[0]!), [experts, width, slice]),
      tensor(gpu, stackColumns(dense[1]!), [experts, width, slice]),
      tensor(gpu, Float32Array.from(dense[2]!), [experts, slice, width]),
      tensor(gpu, new Float32Array(tokens * experts).fill(1), [tokens, experts]),
    ]);
    expectClose(await moeOut.read(), await denseOut.read(), 1e-5);
  });

  it('gives NaN, never a wrong number, for a token routed to an expert that does not exist', async () => {
    const gpu = await acquireGpu();
    const out = moeFeedForward([
      tensor(gpu, [1, 2, 3, 4], [2, 2]),
      tensor(gpu, Int32Array.of(0, 9), [2, 1]),
      tensor(gpu, [1, 0, 0, 1], [1, 2, 2]),
      tensor(gpu, [1, 0, 0, 1], [1, 2, 2]),
      tensor(gpu, [1, 0, 0, 1], [1, 2, 2]),
      tensor(gpu, [1, 1], [2, 1]),
    ]);
    const values = await out.read();
    expect(values.slice(0, 2).every(Number.isFinite)).toBe(true);
    expect(values.slice(2).every(Number.isNaN)).toBe(true);
  });
});
