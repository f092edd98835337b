import { describe, expect, it } from 'vitest';
import { acquireGpu, backward, batchMatmul, embedding, mul, sum, tensor } from '../../src/index.ts';
import { lacksShaderF16 } from '../adapter-features.ts';
import { roundToF16 } from '../reference/safetensors-f64.ts';
import { expectClose, randomValues } from './helpers.ts';

function matmul64(a: Float64Array, b: Float64Array, m: number, k: number, n: number) {
  const c = new Float64Array(m * n);
  for (let row = 0; row < m; row++) {
    for (let inner = 0; inner < k; inner++) {
      for (let column = 0; column < n; column++) {
        c[row * n + column]! += a[row * k + inner]! * b[inner * n + column]!;
      }
    }
  }
  return c;
}

describe.skipIf(lacksShaderF16)('f16 storage (needs shader-f16)', () => {
  it('rounds to nearest, ties to even, on upload and reads back exactly', async () => {
    const gpu = await acquireGpu();
    const values = [0, -0.5, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 70000, 2 ** -24, 1e-9, -3.25];
    const expected = [0, -0.5, 1, 1 + 2 ** -9, 65504, Infinity, 2 ** -24, 0, -3.25];
    const stored = tensor(gpu, values, [values.length], { dtype: 'f16' });
    expect(stored.byteLength).toBe(values.length * 2);
    expect([...(await stored.read())]).toEqual(expected);
  });

  // M, K, N: ones, sizes that are no tile's multiple, and K up to 250.
  const MATMUL_SHAPES = [
    [1, 1, 1],
    [7, 33, 5],
    [33, 250, 17],
    [9, 8, 12],
    [40, 70, 12],
  ];

  // Against float64 products of the inputs rounded to f16 first (A too when it is f16), measured
  // on lavapipe: up to 4.6e-7 with an f32 A (only the f32 sum errs; 5e-6 leaves 10x) and 2.4e-5
  // with both f16 (each f16 x f16 product is rounded to f16, 2^-11, before the f32 sum; 1e-4
  // leaves 4x). Against unrounded inputs it took 2e-3.
  const F16_MATMUL_TOLERANCE = { f32: 5e-6, f16: 1e-4 };

  it.each(MATMUL_SHAPES)(
    'batchMatmul with f16 weights matches float64 at M=%i, K=%i, N=%i',
    async (m, k, n) => {
      const gpu = await acquireGpu();
      const a = randomValues(m * k, 1);
      const b = randomValues(k * n, 2);
      const b16 = Float64Array.from(b, roundToF16);
      for (const aType of ['f32', 'f16'] as const) {
        const expected = matmul64(aType === 'f16' ? a.map(roundToF16) : a, b16, m, k, n);
        const aTensor = tensor(gpu, Float32Array.from(a), [m, k], { dtype: aType });
        const bTensor = tensor(gpu, Float32Array.from(b), [k, n], { dtype: 'f16' });
        const c = batchMatmul(aTensor, bTensor);
        expect(c.dtype).toBe('f32');
        expectClose(await c.read(), expected, F16_MATMUL_TOLERANCE[aType]);
      }
    },
  );

  // Against the inputs rounded to f16 first, what is left is every product and partial sum
  // rounded to f16 (relative 2^-11 each): over K <= 250 values in [-1, 1), measured up to 1.2e-3
  // of max(1, largest |C|) in matmul.test.ts's shapes; 4e-3 leaves 3x.
  const F16_COMPUTE_TOLERANCE = 4e-3;

  it.each(MATMUL_SHAPES)(
    'batchMatmul with f16 compute matches float64 at M=%i, K=%i, N=%i',
    async (m, k, n) => {
      const gpu = await acquireGpu();
      const a = randomValues(m * k, 7);
      const b = randomValues(k * n, 8);
      for (const transposeB of [false, true]) {
        const stored = transposeB
          ? Float64Array.from(
              { length: n * k },
              (_, index) => b[(index % k) * n + Math.floor(index / k)]!,
            )
          : b;
        const aTensor = tensor(gpu, Float32Array.from(a), [m, k], { dtype: 'f16' });
        const bTensor = tensor(gpu, Float32Array.from(stored), transposeB ? [n, k] : [k, n], {
          dtype: 'f16',
        });
        const c = batchMatmul(aTensor, bTensor, { transposeB, compute: 'f16' });
        expect(c.dtype).toBe('f32');
        const expected = matmul64(a.map(roundToF16), b.map(roundToF16), m, k, n);
        expectClose(await c.read(), expected, F16_COMPUTE_TOLERANCE);
      }
    },
  );

  it('batchMatmul with f16 compute names the op when an input is f32', async () => {
    const gpu = await acquireGpu();
    const a = tensor(gpu, [1, 2], [1, 2]);
    const b = tensor(gpu, [1, 2], [2, 1], { dtype: 'f16' });
    expect(() => batchMatmul(a, b, { compute: 'f16' })).toThrow(
      'batchMatmul([1, 2] f32, [2, 1] f16, transposeA false, transposeB false, f16 compute): ' +
        'A (f16 compute) must be f16, not f32',
    );
  });

  it('differentiates activations through frozen f16 weights exactly as through their f32 values', async () => {
    const gpu = await acquireGpu();
    const [m, k, n] = [7, 33, 5];
    const weightValues = randomValues(k * n, 3).map(roundToF16);
    const x = tensor(gpu, Float32Array.from(randomValues(m * k, 4)), [m, k], {
      requiresGrad: true,
    });
    const weight = tensor(gpu, Float32Array.from(weightValues), [k, n], { dtype: 'f16' });
    const upstream = randomValues(m * n, 5);
    backward(sum(mul(batchMatmul(x, weight), tensor(gpu, Float32Array.from(upstream), [m, n]))));
    // dX = upstream x W^T, with W as stored.
    const transposed = Float64Array.from(
      { length: n * k },
      (_, index) => weightValues[(index % k) * n + Math.floor(index / k)]!,
    );
    expectClose(await x.grad!.read(), matmul64(upstream, transposed, m, n, k), 1e-5);
  });

  it('gathers embedding rows from an f16 table', async () => {
    const gpu = await acquireGpu();
    const values = randomValues(33 * 7, 6);
    const table = tensor(gpu, Float32Array.from(values), [33, 7], { dtype: 'f16' });
    const rows = await embedding(table, tensor(gpu, Int32Array.of(32, 0, 5), [3])).read();
    // The rows exactly as f16 holds them.
    const expected = [32, 0, 5].flatMap((id) => [...values.subarray(id * 7, id * 7 + 7)]);
    expect([...rows]).toEqual(expected.map(roundToF16));
  });
});
