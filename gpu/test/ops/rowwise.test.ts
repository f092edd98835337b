import { describe } from 'vitest';
import { logSoftmax, rmsNorm, softmax, type Shape } from '../../src/index.ts';
import { checkOp } from './conformance.ts';

/** Applies `perRow` to each row (last dimension) of x. */
function byRow(
  x: Float64Array,
  shape: Shape,
  perRow: (row: Float64Array, index: number) => number[],
): Float64Array {
  const columns = shape.at(-1)!;
  const output = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += columns) {
    output.set(perRow(x.subarray(start, start + columns), start / columns), start);
  }
  return output;
}

function logSumExp(row: Float64Array): number {
  const max = Math.max(...row);
  return max + Math.log(row.reduce((total, value) => total + Math.exp(value - max), 0));
}

const SHAPES = [[1], [7], [33, 250], [3, 5, 64], [250, 7]];
const GRADIENT_SHAPES = [[1], [7], [3, 33], [2, 3, 8]];

describe('row-wise ops', () => {
  checkOp({
    name: 'softmax',
    op: ([x]) => softmax(x!),
    reference: ([x], [shape]) =>
      byRow(x!, shape!, (row) => {
        const total = logSumExp(row);
        return [...row].map((value) => Math.exp(value - total));
      }),
    configs: SHAPES.map((shape) => [{ shape, low: -8, high: 8 }]),
    gradientConfigs: GRADIENT_SHAPES.map((shape) => [{ shape, low: -3, high: 3 }]),
    forwardTolerance: 1e-6,
    backwardTolerance: 1e-5,
  });

  checkOp({
    name: 'logSoftmax',
    op: ([x]) => logSoftmax(x!),
    reference: ([x], [shape]) =>
      byRow(x!, shape!, (row) => {
        const total = logSumExp(row);
        return [...row].map((value) => value - total);
      }),
    configs: SHAPES.map((shape) => [{ shape, low: -8, high: 8 }]),
    gradientConfigs: GRADIENT_SHAPES.map((shape) => [{ shape, low: -3, high: 3 }]),
    // log-sum-exp of up to 250 terms in f32, on outputs of size about 10.
    forwardTolerance: 1e-5,
    backwardTolerance: 1e-5,
  });

  const EPS = 1e-5;
  checkOp({
    name: 'rmsNorm',
    op: ([x, weight]) => rmsNorm(x!, weight!, { eps: EPS }),
    reference: ([x, weight], [shape]) =>
      byRow(x!, shape!, (row) => {
        const meanSquare = row.reduce((total, value) => total + value * value, 0) / row.length;
        const rstd = 1 / Math.sqrt(meanSquare + EPS);
        return [...row].map((value, column) => value * rstd * weight![column]!);
      }),
    configs: SHAPES.map((shape) => [{ shape }, { shape: shape.slice(-1) }]),
    gradientConfigs: GRADIENT_SHAPES.slice(1).map((shape) => [
      { shape },
      { shape: shape.slice(-1) },
    ]),
    forwardTolerance: 1e-5,
    backwardTolerance: 1e-4,
  });
});
