import { describe, expect, it } from 'vitest';
import {
  acquireGpu,
  add,
  backward,
  batchMatmul,
  engineFor,
  scale,
  silu,
  sum,
  tensor,
  zeros,
} from '../src/index.ts';

describe('engine runtime', () => {
  it('reuses a disposed tensor’s buffer once the work that used it is submitted', async () => {
    const gpu = await acquireGpu();
    const engine = engineFor(gpu);
    const first = tensor(gpu, [1, 2, 3], [3]);
    const buffer = first.bufferFor('test');
    first.dispose();
    // Not before: commands still unsubmitted may read it.
    const meanwhile = tensor(gpu, [4, 5, 6], [3]);
    expect(meanwhile.bufferFor('test')).not.toBe(buffer);
    await engine.flush();
    const second = tensor(gpu, [7, 8, 9], [3]);
    expect(second.bufferFor('test')).toBe(buffer);
    expect([...(await second.read())]).toEqual([7, 8, 9]);
    meanwhile.dispose();
    second.dispose();
  });

  it('creates no buffers in steady-state training steps', async () => {
    const gpu = await acquireGpu();
    const engine = engineFor(gpu);
    const weight = tensor(gpu, new Float32Array(64).fill(0.1), [8, 8], { requiresGrad: true });
    const input = tensor(gpu, new Float32Array(32).fill(1), [4, 8]);
    const step = async () => {
      const loss = sum(silu(batchMatmul(input, weight)));
      backward(loss);
      await loss.read();
      loss.dispose();
      weight.zeroGrad();
    };
    await step();
    await step();
    const created = engine.pool.createdCount;
    for (let index = 0; index < 3; index++) await step();
    expect(engine.pool.createdCount).toBe(created);
  });

  it('destroys the buffers waiting for reuse on trim', async () => {
    const gpu = await acquireGpu();
    const engine = engineFor(gpu);
    const first = tensor(gpu, [1, 2, 3, 4, 5], [5]);
    const buffer = first.bufferFor('test');
    first.dispose();
    await engine.flush();
    engine.pool.trim();
    const second = tensor(gpu, [1, 2, 3, 4, 5], [5]);
    expect(second.bufferFor('test')).not.toBe(buffer);
    second.dispose();
  });

  it('compiles one pipeline per op variant, whatever the shapes', async () => {
    const gpu = await acquireGpu();
    const engine = engineFor(gpu);
    scale(tensor(gpu, [1], [1]), 2);
    await engine.flush();
    const compiled = engine.pipelines.size;
    for (const size of [3, 33, 250]) scale(zeros(gpu, [size, 2]), 0.5);
    await engine.flush();
    expect(engine.pipelines.size).toBe(compiled);
  });

  it('submits many ops in one command buffer and only when something is read', async () => {
    const gpu = await acquireGpu();
    const engine = engineFor(gpu);
    await engine.flush();
    const submits = engine.batch.submits;
    let x = tensor(gpu, [1, 2], [2]);
    for (let index = 0; index < 50; index++) {
      const next = add(x, x);
      x.dispose();
      x = next;
    }
    expect(engine.batch.submits).toBe(submits);
    expect([...(await x.read())]).toEqual([2 ** 50, 2 ** 51]);
    expect(engine.batch.submits).toBe(submits + 1);
  });

  it('submits on its own once a batch holds 512 dispatches', async () => {
    const gpu = await acquireGpu();
    const engine = engineFor(gpu);
    await engine.flush();
    const submits = engine.batch.submits;
    let x = tensor(gpu, [1], [1]);
    for (let index = 0; index < 600; index++) {
      const next = scale(x, 1);
      x.dispose();
      x = next;
    }
    expect(engine.batch.submits).toBe(submits + 1);
    expect([...(await x.read())]).toEqual([1]);
  });

  it('refuses work on a lost device, naming the op', async () => {
    const gpu = await acquireGpu();
    const x = tensor(gpu, [1, 2], [2]);
    gpu.device.destroy();
    await gpu.device.lost;
    expect(() => silu(x)).toThrow(
      /^silu\(\[2\] f32\): the GPU device was lost \(.*\); acquireGpu\(\)/,
    );
    await expect(x.read()).rejects.toThrow(/^read \[2\] f32: the GPU device was lost/);
    expect(await acquireGpu()).not.toBe(gpu);
  });

  it('raises a validation error from the next read, naming the ops of the batch', async () => {
    const gpu = await acquireGpu();
    const x = tensor(gpu, [1, 2], [2]);
    // Destroyed behind the engine's back: WebGPU rejects the submit that uses it.
    x.bufferFor('test').destroy();
    const y = silu(x);
    await expect(y.read()).rejects.toThrow(
      /^silu\(\[2\] f32\), read \[2\] f32: WebGPU validation failed: /,
    );
  });
});
