import { describe, expect, it } from 'vitest';
import type { Shape, Tensor } from '../../src/index.ts';
import {
  acquireGpu,
  asFloat32,
  expectClose,
  gpuGradients,
  numericGradient,
  randomValues,
  sizeOf,
  upload,
  type Reference,
} from './helpers.ts';
import { tensor } from '../../src/index.ts';

export interface InputSpec {
  shape: Shape;
  /** Uniform values in [low, high) (default [-2, 2)). */
  low?: number;
  high?: number;
  /** i32 ids in [0, idsBelow) instead of floats; never differentiated. */
  idsBelow?: number;
}

/** One op checked forward against a float64 reference and backward by central differences. */
export interface OpCase {
  name: string;
  op: (inputs: Tensor[]) => Tensor;
  reference: Reference;
  /** Input sets checked forward: shapes off and on tile multiples. */
  configs: InputSpec[][];
  /** Input sets checked backward (default: `configs`); finite differences are O(n^2). */
  gradientConfigs?: InputSpec[][];
  /** Largest error relative to max(1, largest |expected|). */
  forwardTolerance: number;
  backwardTolerance: number;
}

export function inputValues(specs: readonly InputSpec[], seed: number): Float64Array[] {
  return specs.map(({ shape, low = -2, high = 2, idsBelow }, index) =>
    idsBelow === undefined
      ? asFloat32(randomValues(sizeOf(shape), seed + index, low, high))
      : randomValues(sizeOf(shape), seed + index, 0, idsBelow).map(Math.floor),
  );
}

const shapesOf = (specs: readonly InputSpec[]) => specs.map(({ shape }) => shape);

const describeInputs = (specs: readonly InputSpec[]) =>
  specs.map(({ shape, idsBelow }) => `[${shape.join(', ')}]${idsBelow ? ' ids' : ''}`).join(' ');

export function checkOp({
  name,
  op,
  reference,
  configs,
  gradientConfigs = configs,
  forwardTolerance,
  backwardTolerance,
}: OpCase): void {
  describe(name, () => {
    it.each(configs.map((specs) => [describeInputs(specs), specs] as const))(
      'forward matches the float64 reference for %s',
      async (_, specs) => {
        const gpu = await acquireGpu();
        const values = inputValues(specs, 1);
        const inputs = specs.map(({ shape, idsBelow }, index) =>
          idsBelow === undefined
            ? upload(gpu, values[index]!, shape)
            : tensor(gpu, Int32Array.from(values[index]!), shape),
        );
        const output = op(inputs);
        const expected = reference(values, shapesOf(specs));
        expect(output.size).toBe(expected.length);
        expectClose(await output.read(), expected, forwardTolerance);
        for (const input of [...inputs, output]) input.dispose();
      },
    );

    it.each(gradientConfigs.map((specs) => [describeInputs(specs), specs] as const))(
      'backward matches central differences for %s',
      async (_, specs) => {
        const values = inputValues(specs, 11);
        const shapes = shapesOf(specs);
        const weights = randomValues(reference(values, shapes).length, 99);
        const grads = await gpuGradients(
          op,
          specs.map(({ shape, idsBelow }, index) => ({
            values: values[index]!,
            shape,
            integer: idsBelow !== undefined,
          })),
          weights,
        );
        specs.forEach(({ idsBelow }, index) => {
          if (idsBelow !== undefined) return;
          const expected = numericGradient(reference, values, weights, shapes, index);
          expectClose(grads[index]!, expected, backwardTolerance);
        });
      },
    );
  });
}
