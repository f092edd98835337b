import { describe, expect, it } from 'vitest';
import { acquireGpu, createMatmulRunner, matmul } from '../src/index.ts';
import { randomFloat32Array, seededRandom } from '../src/util/random.ts';

/** C = A x B in float64, the plainest way. */
function cpuMatmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number) {
  const c = new Float64Array(m * n);
  for (let row = 0; row < m; row++) {
    for (let col = 0; col < n; col++) {
      let sum = 0;
      for (let inner = 0; inner < k; inner++) sum += a[row * k + inner]! * b[inner * n + col]!;
      c[row * n + col] = sum;
    }
  }
  return c;
}

function maxRelativeError(actual: Float32Array, expected: Float64Array): number {
  let maxError = 0;
  let maxExpected = 0;
  expected.forEach((value, index) => {
    maxError = Math.max(maxError, Math.abs(actual[index]! - value));
    maxExpected = Math.max(maxExpected, Math.abs(value));
  });
  return maxError / maxExpected;
}

// Edges of the 8-row by 4-column tiles, K and N both off and on multiples of 4, and vectors.
const SHAPES: [m: number, k: number, n: number][] = [
  [1, 1, 1],
  [7, 33, 5],
  [33, 250, 17],
  [64, 64, 64],
  [250, 7, 129],
  [9, 8, 12],
  [1, 256, 1],
  [256, 1, 3],
  [3, 4, 257],
  [100, 100, 100],
];

describe('matmul', { timeout: 60_000 }, () => {
  for (const subgroups of [true, false]) {
    describe(subgroups ? 'with subgroups where supported' : 'without subgroups', () => {
      it.each(SHAPES)('matches a float64 CPU reference at M=%i, K=%i, N=%i', async (m, k, n) => {
        const gpu = await acquireGpu();
        const random = seededRandom(m * 65_536 + k * 256 + n);
        const a = randomFloat32Array(m * k, random);
        const b = randomFloat32Array(k * n, random);

        const c = await matmul(gpu, a, b, m, k, n, { subgroups });

        expect(c).toHaveLength(m * n);
        expect(maxRelativeError(c, cpuMatmul(a, b, m, k, n))).toBeLessThan(1e-5);
      });
    });
  }

  it('runs repeated dispatches on uploaded buffers and reads the product back', async () => {
    const gpu = await acquireGpu();
    const random = seededRandom(3);
    const [m, k, n] = [48, 32, 40];
    const a = randomFloat32Array(m * k, random);
    const b = randomFloat32Array(k * n, random);
    const runner = await createMatmulRunner(gpu, m, k, n);
    try {
      runner.upload(a, b);
      await runner.dispatch(5);
      expect(maxRelativeError(await runner.read(), cpuMatmul(a, b, m, k, n))).toBeLessThan(1e-5);
    } finally {
      runner.destroy();
    }
  });

  describe('with f16 storage', () => {
    // f16 rounding of the inputs (relative 2^-11 each) dominates; accumulation is f32.
    const F16_TOLERANCE = 2e-3;

    it.each(SHAPES)('matches a float64 reference at M=%i, K=%i, N=%i', async (m, k, n) => {
      const gpu = await acquireGpu();
      if (!gpu.device.features.has('shader-f16')) return;
      const random = seededRandom(m * 65_536 + k * 256 + n + 1);
      const a = randomFloat32Array(m * k, random);
      const b = randomFloat32Array(k * n, random);

      const runner = await createMatmulRunner(gpu, m, k, n, { dtype: 'f16' });
      try {
        expect(runner.dtype).toBe('f16');
        runner.upload(a, b);
        await runner.dispatch();
        const c = await runner.read();
        expect(maxRelativeError(c, cpuMatmul(a, b, m, k, n))).toBeLessThan(F16_TOLERANCE);
      } finally {
        runner.destroy();
      }
    });

    it('computes exactly on values that f16 represents exactly', async () => {
      const gpu = await acquireGpu();
      if (!gpu.device.features.has('shader-f16')) return;
      const a = Float32Array.from({ length: 12 }, (_, index) => index - 5.5);
      const b = Float32Array.from({ length: 20 }, (_, index) => (index % 7) * 0.25);
      const c = await matmul(gpu, a, b, 3, 4, 5, { dtype: 'f16' });
      expect([...c]).toEqual([...cpuMatmul(a, b, 3, 4, 5)]);
    });

    it('names the op and the missing feature on a device without shader-f16', async () => {
      const gpu = await acquireGpu();
      const device = new Proxy(gpu.device, {
        get: (target, property) =>
          property === 'features' ? new Set() : Reflect.get(target, property),
      });
      await expect(
        createMatmulRunner({ ...gpu, device }, 2, 3, 4, { dtype: 'f16' }),
      ).rejects.toThrow(
        'matmul [M=2, K=3, N=4]: dtype f16 needs the WebGPU feature shader-f16, which this device lacks',
      );
    });
  });

  describe('with f16 compute', () => {
    // Inputs rounded to f16 and every product and partial sum rounded to f16 (relative 2^-11
    // each): over K <= 250 values in [-1, 1) the error stays below 1% of the largest |C|.
    const F16_COMPUTE_TOLERANCE = 1e-2;

    for (const subgroups of [true, false]) {
      it.each(SHAPES)(
        `matches a float64 reference at M=%i, K=%i, N=%i (subgroups ${subgroups})`,
        async (m, k, n) => {
          const gpu = await acquireGpu();
          if (!gpu.device.features.has('shader-f16')) return;
          const random = seededRandom(m * 65_536 + k * 256 + n + 2);
          const a = randomFloat32Array(m * k, random);
          const b = randomFloat32Array(k * n, random);
          const c = await matmul(gpu, a, b, m, k, n, { dtype: 'f16', compute: 'f16', subgroups });
          expect(maxRelativeError(c, cpuMatmul(a, b, m, k, n))).toBeLessThan(F16_COMPUTE_TOLERANCE);
        },
      );
    }

    it('sums in f16: 2048 + 1 + 1 + 1 stays 2048, where f32 sums give 2051', async () => {
      const gpu = await acquireGpu();
      if (!gpu.device.features.has('shader-f16')) return;
      const a = Float32Array.of(2048, 1, 1, 1);
      const b = Float32Array.of(1, 1, 1, 1);
      expect([...(await matmul(gpu, a, b, 1, 4, 1, { dtype: 'f16', compute: 'f16' }))]).toEqual([
        2048,
      ]);
      expect([...(await matmul(gpu, a, b, 1, 4, 1, { dtype: 'f16' }))]).toEqual([2051]);
    });

    it('needs f16 inputs', async () => {
      const gpu = await acquireGpu();
      await expect(createMatmulRunner(gpu, 2, 3, 4, { compute: 'f16' })).rejects.toThrow(
        'matmul [M=2, K=3, N=4]: f16 compute needs dtype f16 inputs, not f32',
      );
    });
  });

  describe('rejects bad input', () => {
    it('arrays whose lengths do not match the shape', async () => {
      const gpu = await acquireGpu();
      await expect(matmul(gpu, new Float32Array(5), new Float32Array(12), 2, 3, 4)).rejects.toThrow(
        'matmul [M=2, K=3, N=4]: A has 5 values, expected M*K = 6',
      );
      await expect(matmul(gpu, new Float32Array(6), new Float32Array(13), 2, 3, 4)).rejects.toThrow(
        'matmul [M=2, K=3, N=4]: B has 13 values, expected K*N = 12',
      );
    });

    it.each([
      [0, 3, 4],
      [2, -1, 4],
      [2, 3, 1.5],
      [2, 3, Number.NaN],
    ])('dimensions that are not positive integers (M=%s, K=%s, N=%s)', async (m, k, n) => {
      const gpu = await acquireGpu();
      await expect(createMatmulRunner(gpu, m, k, n)).rejects.toThrow(
        `matmul [M=${m}, K=${k}, N=${n}]: dimensions must be positive integers`,
      );
    });

    it("a matrix larger than the device's storage binding limit", async () => {
      const gpu = await acquireGpu();
      const limit = gpu.device.limits.maxStorageBufferBindingSize;
      const k = limit / 4 + 1;
      await expect(createMatmulRunner(gpu, 1, k, 1)).rejects.toThrow(
        `matmul [M=1, K=${k}, N=1]: A needs ${k * 4} bytes, over this device's ` +
          `maxStorageBufferBindingSize of ${limit} bytes`,
      );
    });
  });
});
