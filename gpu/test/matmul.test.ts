import { describe, expect, it } from 'vitest';
import { acquireGpu, createMatmulRunner, matmul, type MatmulOptions } from '../src/index.ts';
import { autoMatmulKernel, type MatmulGeometry } from '../src/ops/matmul-plan.ts';
import type { Gpu } from '../src/runtime/device.ts';
import { randomFloat32Array, seededRandom } from '../src/util/random.ts';
import { lacksShaderF16 } from './adapter-features.ts';
import { roundToF16 } from './reference/safetensors-f64.ts';

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

/** The values as f16 holds them, rounded by the reference's own code. */
const halves = (values: Float32Array) => Float32Array.from(values, roundToF16);

/**
 * The largest |C - A B| over the largest sum of |a_ik b_kj|: rounding partial sums to f16 errs in
 * proportion to the magnitudes summed, not to |C|, which cancellation can make small.
 */
function maxErrorOverMagnitudes(
  actual: Float32Array,
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): number {
  const absolute = (values: Float32Array) => values.map(Math.abs);
  const magnitudes = cpuMatmul(absolute(a), absolute(b), m, k, n);
  const expected = cpuMatmul(a, b, m, k, n);
  let maxError = 0;
  expected.forEach(
    (value, index) => (maxError = Math.max(maxError, Math.abs(actual[index]! - value))),
  );
  return maxError / Math.max(...magnitudes);
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

/** The kernel choices every shape is checked with: each kernel runs on any adapter. */
const KERNEL_CHOICES: [name: string, options: MatmulOptions][] = [
  ['with subgroups where supported', { subgroups: true }],
  ['without subgroups', { subgroups: false }],
  ['forced to the workgroup-memory kernel, 64-wide blocks', { kernel: 'tiled-64' }],
  ['forced to the workgroup-memory kernel, 128-wide blocks', { kernel: 'tiled-128' }],
];
const TILED_KERNELS = ['tiled-64', 'tiled-128'] as const;

describe('matmul', { timeout: 60_000 }, () => {
  for (const [name, options] of KERNEL_CHOICES) {
    describe(name, () => {
      it.each(SHAPES)('matches a float64 CPU reference at M=%i, K=%i, N=%i', async (m, k, n) => {
        const gpu = await acquireGpu();
        const random = seededRandom(m * 65_536 + k * 256 + n);
        const a = randomFloat32Array(m * k, random);
        const b = randomFloat32Array(k * n, random);

        const c = await matmul(gpu, a, b, m, k, n, options);

        expect(c).toHaveLength(m * n);
        expect(maxRelativeError(c, cpuMatmul(a, b, m, k, n))).toBeLessThan(1e-5);
      });
    });
  }

  it('takes the workgroup-memory kernel on GPUs but for thin products, register tiles on CPUs', () => {
    const product = (m: number, n: number, batch = 1): MatmulGeometry => ({
      batch,
      m,
      k: 512,
      n,
      transposeA: false,
      transposeB: false,
      aBatchStride: m * 512,
      bBatchStride: 512 * n,
      aType: 'f32',
      bType: 'f32',
      compute: 'f32',
    });
    const adapter = (isCpu: boolean) => ({ info: { isCpu } }) as Gpu;
    const chosen = (isCpu: boolean, m: number, n: number, batch?: number) =>
      autoMatmulKernel(adapter(isCpu), product(m, n, batch));
    expect(chosen(false, 1, 4096)).toBe('register');
    expect(chosen(false, 4096, 16)).toBe('register');
    expect(chosen(false, 512, 512)).toBe('tiled-64');
    expect(chosen(false, 1024, 1024)).toBe('tiled-64');
    expect(chosen(false, 2048, 2048)).toBe('tiled-128');
    expect(chosen(false, 512, 512, 16)).toBe('tiled-128');
    expect(chosen(true, 2048, 2048)).toBe('register');
  });

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

  it('names the op and the missing feature on a device without shader-f16', async () => {
    const gpu = await acquireGpu();
    const device = new Proxy(gpu.device, {
      get: (target, property) =>
        property === 'features' ? new Set() : Reflect.get(target, property),
    });
    await expect(createMatmulRunner({ ...gpu, device }, 2, 3, 4, { dtype: 'f16' })).rejects.toThrow(
      'matmul [M=2, K=3, N=4]: dtype f16 needs the WebGPU feature shader-f16, which this device lacks',
    );
  });

  describe.skipIf(lacksShaderF16)('with f16 storage (needs shader-f16)', () => {
    // Against float64 sums of the inputs rounded to f16 first, only the f32 accumulation is left:
    // measured up to 4.3e-7 of max |C| on lavapipe (every shape and kernel); 5e-6 leaves 10x.
    // (Against the unrounded inputs it needed 2e-3.)
    const F16_TOLERANCE = 5e-6;

    it.each(
      SHAPES.flatMap((shape) =>
        (['auto', ...TILED_KERNELS] as const).map((kernel) => [...shape, kernel] as const),
      ),
    )('matches a float64 reference at M=%i, K=%i, N=%i (%s kernel)', async (m, k, n, kernel) => {
      const gpu = await acquireGpu();
      const random = seededRandom(m * 65_536 + k * 256 + n + 1);
      const a = randomFloat32Array(m * k, random);
      const b = randomFloat32Array(k * n, random);

      const runner = await createMatmulRunner(gpu, m, k, n, { dtype: 'f16', kernel });
      try {
        expect(runner.dtype).toBe('f16');
        runner.upload(a, b);
        await runner.dispatch();
        const c = await runner.read();
        const error = maxRelativeError(c, cpuMatmul(halves(a), halves(b), m, k, n));
        expect(error).toBeLessThan(F16_TOLERANCE);
      } finally {
        runner.destroy();
      }
    });

    it('computes exactly on values that f16 represents exactly', async () => {
      const gpu = await acquireGpu();
      const a = Float32Array.from({ length: 12 }, (_, index) => index - 5.5);
      const b = Float32Array.from({ length: 20 }, (_, index) => (index % 7) * 0.25);
      const c = await matmul(gpu, a, b, 3, 4, 5, { dtype: 'f16' });
      expect([...c]).toEqual([...cpuMatmul(a, b, 3, 4, 5)]);
    });
  });

  describe.skipIf(lacksShaderF16)('with f16 compute (needs shader-f16)', () => {
    // Inputs rounded to f16 first; what is left is every product and partial sum rounded to f16,
    // an error proportional to the sum of |a b| (not to |C|, which cancellation can shrink):
    // measured up to 1.2e-3 of it on lavapipe (K <= 256); 4e-3 leaves 3x.
    const F16_COMPUTE_TOLERANCE = 4e-3;

    for (const [name, options] of KERNEL_CHOICES) {
      it.each(SHAPES)(
        `matches a float64 reference at M=%i, K=%i, N=%i (${name})`,
        async (m, k, n) => {
          const gpu = await acquireGpu();
          const random = seededRandom(m * 65_536 + k * 256 + n + 2);
          const a = randomFloat32Array(m * k, random);
          const b = randomFloat32Array(k * n, random);
          const c = await matmul(gpu, a, b, m, k, n, { ...options, dtype: 'f16', compute: 'f16' });
          const error = maxErrorOverMagnitudes(c, halves(a), halves(b), m, k, n);
          expect(error).toBeLessThan(F16_COMPUTE_TOLERANCE);
        },
      );
    }

    it.each(['auto', ...TILED_KERNELS] as const)(
      'sums in f16: 2048 + 1 + 1 + 1 stays 2048, where f32 sums give 2051 (%s kernel)',
      async (kernel) => {
        const gpu = await acquireGpu();
        const a = Float32Array.of(2048, 1, 1, 1);
        const b = Float32Array.of(1, 1, 1, 1);
        const f16 = { dtype: 'f16', kernel } as const;
        expect([...(await matmul(gpu, a, b, 1, 4, 1, { ...f16, compute: 'f16' }))]).toEqual([2048]);
        expect([...(await matmul(gpu, a, b, 1, 4, 1, f16))]).toEqual([2051]);
      },
    );

    it('needs f16 inputs', async () => {
      const gpu = await acquireGpu();
      await expect(createMatmulRunner(gpu, 2, 3, 4, { compute: 'f16' })).rejects.toThrow(
        'matmul [M=2, K=3, N=4]: f16 compute needs dtype f16 inputs, not f32',
      );
    });
  });

  describe('rejects bad input', () => {
    it('a kernel that does not exist, naming the ones that do', async () => {
      const gpu = await acquireGpu();
      await expect(
        createMatmulRunner(gpu, 2, 3, 4, { kernel: 'tiled-32' as MatmulOptions['kernel'] }),
      ).rejects.toThrow(
        'matmul [M=2, K=3, N=4]: unknown matmul kernel "tiled-32"; use auto, register, tiled-64, tiled-128',
      );
    });

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
