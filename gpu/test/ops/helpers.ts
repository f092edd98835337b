import { expect } from 'vitest';
import {
  acquireGpu,
  backward,
  mul,
  sum,
  tensor,
  type Gpu,
  type Shape,
  type Tensor,
} from '../../src/index.ts';
import { seededRandom } from '../../src/util/random.ts';

/** An op in float64 on the CPU, given its inputs and their shapes. */
export type Reference = (inputs: readonly Float64Array[], shapes: readonly Shape[]) => Float64Array;

export function sizeOf(shape: Shape): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** Seeded values uniform in [low, high). */
export function randomValues(length: number, seed: number, low = -1, high = 1): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length }, () => low + (high - low) * random());
}

/** The float64 values rounded to f32, as the GPU will see them. */
export function asFloat32(values: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(values));
}

export function upload(gpu: Gpu, values: Float64Array, shape: Shape, requiresGrad = false): Tensor {
  return tensor(gpu, Float32Array.from(values), shape, { requiresGrad });
}

/** The largest absolute difference over the largest |expected| (or the absolute one near 0). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let maxError = 0;
  let maxExpected = 0;
  for (let index = 0; index < expected.length; index++) {
    const error = Math.abs(actual[index]! - expected[index]!);
    // NaN compares false with everything: count it as an infinite error.
    maxError = Math.max(maxError, Number.isNaN(error) ? Number.POSITIVE_INFINITY : error);
    maxExpected = Math.max(maxExpected, Math.abs(expected[index]!));
  }
  return maxError / Math.max(maxExpected, 1);
}

export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
): void {
  expect(relativeError(actual, expected)).toBeLessThanOrEqual(tolerance);
}

/**
 * d/dx_i of sum(weights * f(inputs)) for every element of input `which`, by central differences
 * on the float64 reference.
 */
export function numericGradient(
  reference: Reference,
  inputs: readonly Float64Array[],
  weights: Float64Array,
  shapes: readonly Shape[],
  which: number,
  step = 1e-4,
): Float64Array {
  const objective = (perturbed: readonly Float64Array[]) =>
    reference(perturbed, shapes).reduce(
      (total, value, index) => total + value * weights[index]!,
      0,
    );
  const input = Float64Array.from(inputs[which]!);
  const shifted = inputs.map((values, index) => (index === which ? input : values));
  return input.map((value, index) => {
    input[index] = value + step;
    const above = objective(shifted);
    input[index] = value - step;
    const below = objective(shifted);
    input[index] = value;
    return (above - below) / (2 * step);
  });
}

/**
 * The GPU's gradients of sum(weights * op(inputs)) for the inputs flagged in `differentiate`,
 * through the tape.
 */
export async function gpuGradients(
  op: (inputs: Tensor[]) => Tensor,
  inputs: readonly { values: Float64Array; shape: Shape; integer?: boolean }[],
  weights: Float64Array,
): Promise<(Float32Array | undefined)[]> {
  const gpu = await acquireGpu();
  const tensors = inputs.map(({ values, shape, integer }) =>
    integer
      ? tensor(gpu, Int32Array.from(values), shape)
      : tensor(gpu, Float32Array.from(values), shape, { requiresGrad: true }),
  );
  const output = op(tensors);
  const weightTensor = upload(gpu, weights, output.shape);
  const loss = sum(mul(output, weightTensor));
  backward(loss);
  const grads = await Promise.all(tensors.map((input) => input.grad?.read()));
  for (const input of [...tensors, weightTensor, loss]) {
    input.zeroGrad();
    input.dispose();
  }
  return grads;
}

export { acquireGpu };
