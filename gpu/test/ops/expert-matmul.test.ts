import { describe, expect, it } from 'vitest';
import { acquireGpu, expertMatmul, groupByExpert, noGrad, tensor } from '../../src/index.ts';
import { lacksShaderF16 } from '../adapter-features.ts';
import { roundToF16 } from '../reference/safetensors-f64.ts';
import { asFloat32, expectClose, gpuGradients, randomValues } from './helpers.ts';

/** The sorted rows groupByExpert gives: valid assignments by expert, token order kept. */
function sortedAssignments(choices: Int32Array, experts: number): number[] {
  const valid = [...choices.keys()].filter((a) => choices[a]! >= 0 && choices[a]! < experts);
  return valid.sort((p, q) => choices[p]! - choices[q]! || p - q);
}

/**
 * y [tokens * k, outer] in float64: sorted row r = x's row (token a / k from tokens, else row r)
 * times its expert's [inner, outer] weights; rows past the valid assignments are 0.
 */
function referenceExpertMatmul(
  x: Float64Array,
  weights: Float64Array,
  choices: Int32Array,
  { experts, topK, inner, outer, fromTokens }: Dims,
): Float64Array {
  const y = new Float64Array(choices.length * outer);
  sortedAssignments(choices, experts).forEach((a, r) => {
    const row = fromTokens ? Math.floor(a / topK) : r;
    const e = choices[a]!;
    for (let c = 0; c < outer; c++) {
      let total = 0;
      for (let i = 0; i < inner; i++) {
        total += x[row * inner + i]! * weights[(e * inner + i) * outer + c]!;
      }
      y[r * outer + c] = total;
    }
  });
  return y;
}

interface Dims {
  tokens: number;
  experts: number;
  topK: number;
  inner: number;
  outer: number;
  fromTokens: boolean;
}

/** Choices with every expert but the last, some experts with fewer rows than a tile, one invalid id. */
function choicesFor({ tokens, experts, topK }: Dims): Int32Array {
  const choices = Int32Array.from({ length: tokens * topK }, (_, a) => {
    const token = Math.floor(a / topK);
    return (token * 7 + (a % topK) * 3 + (token % 5 === 0 ? 1 : 0)) % Math.max(1, experts - 1);
  });
  if (choices.length > 2) choices[2] = experts + 3;
  return choices;
}

function caseName(
  { tokens, experts, topK, inner, outer, fromTokens }: Dims,
  subgroups: boolean,
): string {
  return (
    `${tokens} tokens, ${experts} experts, top ${topK}, ${inner} -> ${outer}, ` +
    `from ${fromTokens ? 'tokens' : 'groups'}${subgroups ? '' : ', without subgroups'}`
  );
}

// The forward alone, on both layouts and both variants, against float64; moe.test.ts checks the
// whole expert FFN forward and backward.
describe('expertMatmul forward (tiled)', () => {
  const cases: Dims[] = [
    { tokens: 1, experts: 1, topK: 1, inner: 1, outer: 1, fromTokens: true },
    { tokens: 37, experts: 4, topK: 2, inner: 33, outer: 7, fromTokens: true },
    { tokens: 37, experts: 4, topK: 2, inner: 7, outer: 33, fromTokens: false },
    { tokens: 250, experts: 5, topK: 2, inner: 12, outer: 260, fromTokens: true },
    { tokens: 9, experts: 3, topK: 3, inner: 16, outer: 8, fromTokens: false },
  ];
  for (const dims of cases) {
    for (const subgroups of [true, false]) {
      const { tokens, experts, topK, inner, outer, fromTokens } = dims;
      it(caseName(dims, subgroups), async () => {
        const gpu = await acquireGpu();
        const xRows = fromTokens ? tokens : tokens * topK;
        const x = asFloat32(randomValues(xRows * inner, 1));
        const weights = asFloat32(randomValues(experts * inner * outer, 2));
        const choices = choicesFor(dims);
        const groups = groupByExpert(tensor(gpu, choices, [tokens, topK]), experts);
        const y = noGrad(() =>
          expertMatmul(
            tensor(gpu, Float32Array.from(x), [xRows, inner]),
            tensor(gpu, Float32Array.from(weights), [experts, inner, outer]),
            groups,
            { from: fromTokens ? 'tokens' : 'groups', subgroups },
          ),
        );
        const actual = await y.read();
        groups.dispose();
        expectClose(actual, referenceExpertMatmul(x, weights, choices, dims), 1e-5);
        // The invalid assignment's row, the last sorted row, is exactly zero.
        expect([...actual.subarray((tokens * topK - 1) * outer)].every((v) => v === 0)).toBe(
          tokens * topK > 2,
        );
      });
    }
  }

  // Gradients of sum(g * y) for a ragged routing with an invalid id, against float64: dx by the
  // transposed tiled kernel, dWeights by the tiled weight-gradient kernel.
  const gradientCases: Dims[] = [
    { tokens: 45, experts: 4, topK: 2, inner: 10, outer: 37, fromTokens: true },
    { tokens: 45, experts: 4, topK: 2, inner: 37, outer: 10, fromTokens: false },
    { tokens: 70, experts: 3, topK: 1, inner: 40, outer: 12, fromTokens: true },
  ];
  for (const dims of gradientCases) {
    for (const subgroups of [true, false]) {
      const { tokens, experts, topK, inner, outer, fromTokens } = dims;
      it(`gradients, ${caseName(dims, subgroups)}`, async () => {
        const xRows = fromTokens ? tokens : tokens * topK;
        const x = asFloat32(randomValues(xRows * inner, 5));
        const weights = asFloat32(randomValues(experts * inner * outer, 6));
        const lossWeights = asFloat32(randomValues(tokens * topK * outer, 7));
        const choices = choicesFor(dims);
        const [dx, dWeights] = await gpuGradients(
          ([xs, ws, ids]) => {
            const groups = groupByExpert(ids!, experts);
            return expertMatmul(xs!, ws!, groups, {
              from: fromTokens ? 'tokens' : 'groups',
              subgroups,
            });
          },
          [
            { values: x, shape: [xRows, inner] },
            { values: weights, shape: [experts, inner, outer] },
            { values: Float64Array.from(choices), shape: [tokens, topK], integer: true },
          ],
          lossWeights,
        );
        // y[r, c] = x[row(r)] . W[e(r), :, c], so d/dx[row, i] sums g[r, c] W[e, i, c] over the
        // rows reading it and d/dW[e, i, c] sums x[row(r), i] g[r, c] over e's rows.
        const expectedDx = new Float64Array(xRows * inner);
        const expectedDWeights = new Float64Array(experts * inner * outer);
        sortedAssignments(choices, experts).forEach((a, r) => {
          const row = fromTokens ? Math.floor(a / topK) : r;
          const e = choices[a]!;
          for (let i = 0; i < inner; i++) {
            for (let c = 0; c < outer; c++) {
              const g = lossWeights[r * outer + c]!;
              expectedDx[row * inner + i]! += g * weights[(e * inner + i) * outer + c]!;
              expectedDWeights[(e * inner + i) * outer + c]! += x[row * inner + i]! * g;
            }
          }
        });
        expectClose(dx!, expectedDx, 1e-5);
        expectClose(dWeights!, expectedDWeights, 1e-5);
      });
    }
  }

  it.skipIf(lacksShaderF16)('reads f16 weights (needs shader-f16)', async () => {
    const gpu = await acquireGpu();
    const dims = { tokens: 21, experts: 3, topK: 2, inner: 8, outer: 12, fromTokens: true };
    const x = asFloat32(randomValues(dims.tokens * dims.inner, 3));
    const weights = randomValues(dims.experts * dims.inner * dims.outer, 4);
    // Rounded to f16 (by the reference's own code), so the reference sees the weights as stored.
    const halves = weights.map(roundToF16);
    const choices = choicesFor(dims);
    const groups = groupByExpert(tensor(gpu, choices, [dims.tokens, dims.topK]), dims.experts);
    const w16 = tensor(gpu, Float32Array.from(weights), [dims.experts, dims.inner, dims.outer], {
      dtype: 'f16',
    });
    const y = noGrad(() =>
      expertMatmul(tensor(gpu, Float32Array.from(x), [dims.tokens, dims.inner]), w16, groups, {
        from: 'tokens',
      }),
    );
    const actual = await y.read();
    groups.dispose();
    expectClose(actual, referenceExpertMatmul(x, halves, choices, dims), 1e-5);
  });
});
