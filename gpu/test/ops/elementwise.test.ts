import { describe } from 'vitest';
import { add, mul, scale, silu, swiglu } from '../../src/index.ts';
import { checkOp, type InputSpec } from './conformance.ts';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const siluOf = (x: number) => x * sigmoid(x);
const broadcastAt = (values: Float64Array, index: number) => values[index % values.length]!;

const SHAPES = [[1], [7, 33], [250, 3], [2, 3, 33]];
const GRADIENT_SHAPES = SHAPES.slice(0, 3);
const unary = (shapes: number[][]) => shapes.map((shape) => [{ shape, low: -4, high: 4 }]);
const binary = (shapes: number[][], second: (shape: number[]) => number[] = (shape) => shape) =>
  shapes.map((shape): InputSpec[] => [{ shape }, { shape: second(shape) }]);
const lastDim = (shape: number[]) => shape.slice(-1);

/** f32 arithmetic on values of size about 1, exp included. */
const FORWARD_TOLERANCE = 1e-6;
/** f32 gradients against central differences of the float64 reference. */
const BACKWARD_TOLERANCE = 1e-5;
const tolerances = { forwardTolerance: FORWARD_TOLERANCE, backwardTolerance: BACKWARD_TOLERANCE };

describe('elementwise ops', () => {
  checkOp({
    name: 'add',
    op: ([a, b]) => add(a!, b!),
    reference: ([a, b]) => a!.map((value, index) => value + broadcastAt(b!, index)),
    configs: [...binary(SHAPES), ...binary(SHAPES, lastDim)],
    gradientConfigs: [...binary(GRADIENT_SHAPES), ...binary(GRADIENT_SHAPES, lastDim)],
    ...tolerances,
  });

  checkOp({
    name: 'mul',
    op: ([a, b]) => mul(a!, b!),
    reference: ([a, b]) => a!.map((value, index) => value * broadcastAt(b!, index)),
    configs: [...binary(SHAPES), ...binary(SHAPES, lastDim)],
    gradientConfigs: [...binary(GRADIENT_SHAPES), ...binary(GRADIENT_SHAPES, lastDim)],
    ...tolerances,
  });

  checkOp({
    name: 'scale',
    op: ([x]) => scale(x!, -0.75),
    reference: ([x]) => x!.map((value) => value * -0.75),
    configs: unary(SHAPES),
    gradientConfigs: unary(GRADIENT_SHAPES),
    ...tolerances,
  });

  checkOp({
    name: 'silu',
    op: ([x]) => silu(x!),
    reference: ([x]) => x!.map(siluOf),
    configs: unary(SHAPES),
    gradientConfigs: unary(GRADIENT_SHAPES),
    ...tolerances,
  });

  checkOp({
    name: 'swiglu',
    op: ([gate, up]) => swiglu(gate!, up!),
    reference: ([gate, up]) => gate!.map((value, index) => siluOf(value) * up![index]!),
    configs: binary(SHAPES),
    gradientConfigs: binary(GRADIENT_SHAPES),
    ...tolerances,
  });
});
