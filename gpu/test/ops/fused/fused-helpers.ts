import {
  acquireGpu,
  engineFor,
  tensor,
  zeros,
  type Engine,
  type Gpu,
  type Shape,
  type Tensor,
} from '../../../src/index.ts';
import { asFloat32, randomValues, sizeOf } from '../helpers.ts';

/** A fused kernel's conformance check runs it and the ops it fuses on the same inputs. */
export interface FusedBench {
  gpu: Gpu;
  engine: Engine;
  /** Seeded f32 values uniform in [low, high), uploaded as `shape`. */
  random(shape: Shape, seed: number, low?: number, high?: number): Tensor;
  /** i32 values uploaded as `shape`. */
  ints(values: readonly number[], shape: Shape): Tensor;
  /** An output for the fused kernel to write, zero-filled. */
  output(shape: Shape, dtype?: 'f32' | 'i32'): Tensor;
}

export async function fusedBench(): Promise<FusedBench> {
  const gpu = await acquireGpu();
  return {
    gpu,
    engine: engineFor(gpu),
    random: (shape, seed, low = -2, high = 2) =>
      tensor(
        gpu,
        Float32Array.from(asFloat32(randomValues(sizeOf(shape), seed, low, high))),
        shape,
      ),
    ints: (values, shape) => tensor(gpu, Int32Array.from(values), shape),
    output: (shape, dtype = 'f32') => zeros(gpu, shape, { dtype }),
  };
}
