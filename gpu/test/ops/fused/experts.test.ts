import { describe, expect, it } from 'vitest';
import {
  add,
  combineExperts,
  expertMatmul,
  groupByExpert,
  swiglu,
  tensor,
  topK,
  type Tensor,
} from '../../../src/index.ts';
import { expertFfn, routeTopK, type ExpertWeights } from '../../../src/ops/fused/experts.ts';
import { groupedExpertFfn } from '../../../src/ops/fused/grouped-experts.ts';
import { expectClose } from '../helpers.ts';
import { fusedBench } from './fused-helpers.ts';

describe('routeTopK against topK', () => {
  it.each([
    [1, 4, 1],
    [9, 8, 2],
    [17, 32, 4],
  ])('%i tokens, %i experts, k %i', async (tokens, experts, k) => {
    const bench = await fusedBench();
    const logits = bench.random([tokens, experts], tokens + experts);
    const choices = bench.output([tokens, k], 'i32');
    routeTopK(bench.engine, logits, choices, k);
    const { indices } = topK(logits, k);
    expect([...(await choices.readIndices())]).toEqual([...(await indices.readIndices())]);
  });
});

/** d, N experts of b neurons each (contiguous: offsets e * b), k chosen per token. */
const [WIDTH, EXPERTS, BLOCK, K, TOKENS] = [16, 4, 8, 2, 5];
const NEURONS = EXPERTS * BLOCK;

/** [f, d] (gate, up) or [d, f] (down) as expertMatmul's per-expert [experts, inner, outer]. */
function perExpert(values: Float32Array, neuronsAreRows: boolean): Float32Array {
  const out = new Float32Array(values.length);
  for (let e = 0; e < EXPERTS; e++)
    for (let n = 0; n < BLOCK; n++)
      for (let i = 0; i < WIDTH; i++) {
        const neuron = e * BLOCK + n;
        if (neuronsAreRows) out[(e * WIDTH + i) * BLOCK + n] = values[neuron * WIDTH + i]!;
        else out[(e * BLOCK + n) * WIDTH + i] = values[i * NEURONS + neuron]!;
      }
  return out;
}

/** The expert weights stored as `dtype`; the reference computes with the same (rounded) values. */
async function expertCase(dtype: 'f32' | 'f16' = 'f32') {
  const bench = await fusedBench();
  const h = bench.random([TOKENS, WIDTH], 21);
  const { indices: choices } = topK(bench.random([TOKENS, EXPERTS], 22), K);
  const stored = async (matrix: Tensor) =>
    dtype === 'f32' ? matrix : tensor(bench.gpu, await matrix.read(), matrix.shape, { dtype });
  const [gate, up, down] = await Promise.all([
    stored(bench.random([NEURONS, WIDTH], 23)),
    stored(bench.random([NEURONS, WIDTH], 24)),
    stored(bench.random([WIDTH, NEURONS], 25)),
  ]);
  const none = bench.output([NEURONS]);
  const weights: ExpertWeights = {
    gate,
    up,
    down,
    gateBias: none,
    upBias: none,
    downBias: none,
    hasBias: false,
    offsets: bench.ints(
      Array.from({ length: EXPERTS + 1 }, (_, e) => e * BLOCK),
      [EXPERTS + 1],
    ),
    block: BLOCK,
    experts: EXPERTS,
    topK: K,
    vectors: true,
    laneBlocked: false,
  };
  const residual = bench.random([TOKENS, WIDTH], 26);
  // The untrained router weighs each chosen expert N / k (see the down kernels' scale).
  const groups = groupByExpert(choices, EXPERTS);
  const asExperts = async (matrix: Tensor, rows: boolean, shape: [number, number, number]) =>
    tensor(bench.gpu, perExpert(await matrix.read(), rows), shape);
  const gated = expertMatmul(h, await asExperts(gate, true, [EXPERTS, WIDTH, BLOCK]), groups, {
    from: 'tokens',
  });
  const upped = expertMatmul(h, await asExperts(up, true, [EXPERTS, WIDTH, BLOCK]), groups, {
    from: 'tokens',
  });
  const downed = expertMatmul(
    swiglu(gated, upped),
    await asExperts(down, false, [EXPERTS, BLOCK, WIDTH]),
    groups,
    { from: 'groups' },
  );
  const gates = tensor(bench.gpu, new Float32Array(TOKENS * K).fill(EXPERTS / K), [TOKENS, K]);
  const expected = await add(residual, combineExperts(downed, gates, groups)).read();
  return { bench, h, choices, weights, residual, expected };
}

describe('expert FFN kernels against groupByExpert, expertMatmul, swiglu and combineExperts', () => {
  it.each(['cpu', 'gpu'] as const)('expertFfn (%s family)', async (target) => {
    const { bench, h, choices, weights, residual, expected } = await expertCase();
    const act = bench.output([TOKENS * K, BLOCK]);
    expertFfn(bench.engine, target, h, choices, act, residual, TOKENS, weights);
    expectClose(await residual.read(), expected, 1e-5);
  });

  it('expertFfn (cpu family) of f16 expert weights, read as u32 words', async () => {
    const { bench, h, choices, weights, residual, expected } = await expertCase('f16');
    const act = bench.output([TOKENS * K, BLOCK]);
    expertFfn(bench.engine, 'cpu', h, choices, act, residual, TOKENS, weights);
    expectClose(await residual.read(), expected, 1e-5);
  });

  it('groupedExpertFfn', async () => {
    const { bench, h, choices, weights, residual, expected } = await expertCase();
    groupedExpertFfn(bench.engine, h, choices, residual, TOKENS, weights);
    expectClose(await residual.read(), expected, 1e-5);
  });
});
