import { describe, expect, it } from 'vitest';
import {
  acquireGpu,
  add,
  batchMatmul,
  crossEntropy,
  embedding,
  rmsNorm,
  silu,
  softmax,
  sum,
  swiglu,
  tensor,
  zeros,
} from '../../src/index.ts';
import { lacksShaderF16 } from '../adapter-features.ts';

describe('bad input', () => {
  it('mismatched shapes name the op and both shapes', async () => {
    const gpu = await acquireGpu();
    const a = zeros(gpu, [2, 3]);
    const b = zeros(gpu, [3, 2]);
    expect(() => add(a, b)).toThrow(
      'add([2, 3] f32, [3, 2] f32): shape [3, 2] must equal [2, 3] or its trailing dimensions',
    );
    expect(() => swiglu(a, b)).toThrow(
      'swiglu([2, 3] f32, [3, 2] f32): shapes [2, 3] and [3, 2] must be equal',
    );
    expect(() => batchMatmul(a, a)).toThrow(
      'batchMatmul([2, 3] f32, [2, 3] f32, transposeA false, transposeB false): inner dimensions ' +
        'differ (K=3 for A, K=2 for B)',
    );
    expect(() => batchMatmul(zeros(gpu, [2, 2, 3]), zeros(gpu, [3, 3, 4]))).toThrow(
      'batchMatmul([2, 2, 3] f32, [3, 3, 4] f32, transposeA false, transposeB false): batch ' +
        'dimensions [2] and [3] differ',
    );
    expect(() => rmsNorm(a, zeros(gpu, [2]))).toThrow(
      'rmsNorm([2, 3] f32, [2] f32, eps 0.00001): weight must be [3] (the last dimension of x), not [2]',
    );
    expect(() => crossEntropy(a, tensor(gpu, Int32Array.of(0, 1, 2), [3]))).toThrow(
      'crossEntropy([2, 3] f32, [3] i32): targets must be [2] (the leading dimensions of logits)',
    );
    expect(() => sum(a, { axis: 2 })).toThrow('sum([2, 3] f32): axis 2 is out of range for rank 2');
    expect(() => tensor(gpu, [1, 2, 3], [2, 2])).toThrow(
      'tensor [2, 2] f32: got 3 values for 4 elements',
    );
  });

  it('mismatched dtypes name the op, the input and the dtypes', async () => {
    const gpu = await acquireGpu();
    const ids = tensor(gpu, Int32Array.of(0, 1), [2]);
    const floats = zeros(gpu, [2, 4]);
    expect(() => silu(ids)).toThrow('silu([2] i32): x must be f32, not i32');
    expect(() => embedding(floats, floats)).toThrow(
      'embedding([2, 4] f32, [2, 4] f32): ids must be i32, not f32',
    );
    expect(() => crossEntropy(floats, zeros(gpu, [2]))).toThrow(
      'crossEntropy([2, 4] f32, [2] f32): targets must be i32, not f32',
    );
    expect(() => tensor(gpu, Int32Array.of(1), [1], { requiresGrad: true })).toThrow(
      'tensor [1] i32: only f32 tensors can require gradients (f16 is storage only)',
    );
  });

  it.skipIf(lacksShaderF16)(
    'an f16 tensor where f32 is needed names both (needs shader-f16)',
    async () => {
      const gpu = await acquireGpu();
      expect(() => softmax(zeros(gpu, [2], { dtype: 'f16' }))).toThrow(
        'softmax([2] f16): x must be f32, not f16',
      );
    },
  );

  it("tensors beyond the device's storage binding limit name the op, shapes and limit", async () => {
    const gpu = await acquireGpu();
    const limit = gpu.device.limits.maxStorageBufferBindingSize;
    const elements = limit / 4 + 1;
    expect(() => zeros(gpu, [elements])).toThrow(
      `zeros [${elements}] f32: a [${elements}] f32 tensor needs ${limit + 4} bytes, over this ` +
        `device's maxStorageBufferBindingSize of ${limit} bytes`,
    );
    // Small inputs, an output four times the limit.
    const side = 2 * Math.ceil(Math.sqrt(limit / 4));
    expect(() => batchMatmul(zeros(gpu, [side, 1]), zeros(gpu, [1, side]))).toThrow(
      `batchMatmul([${side}, 1] f32, [1, ${side}] f32, transposeA false, transposeB false): a ` +
        `[${side}, ${side}] f32 tensor needs ${side * side * 4} bytes, over this device's ` +
        `maxStorageBufferBindingSize of ${limit} bytes`,
    );
  });

  it('use after dispose names the op, the tensor and what made it', async () => {
    const gpu = await acquireGpu();
    const x = tensor(gpu, [1, 2, 3], [3]);
    const y = silu(x);
    y.dispose();
    expect(() => add(x, y)).toThrow(
      'add([3] f32, [3] f32): tensor [3] f32 (made by silu([3] f32)) was used after dispose',
    );
    x.dispose();
    await expect(x.read()).rejects.toThrow(
      'read [3] f32: tensor [3] f32 (made by tensor [3] f32) was used after dispose',
    );
  });

  it('ids outside the table give NaN, never a wrong number', async () => {
    const gpu = await acquireGpu();
    const table = tensor(gpu, [1, 2, 3, 4], [2, 2]);
    const rows = await embedding(table, tensor(gpu, Int32Array.of(1, 2, -1), [3])).read();
    expect([...rows.slice(0, 2)]).toEqual([3, 4]);
    expect([...rows.slice(2)].every(Number.isNaN)).toBe(true);
    const loss = crossEntropy(table, tensor(gpu, Int32Array.of(0, 7), [2]));
    expect((await loss.read())[0]).toBeNaN();
  });
});
