import { describe, expect, it } from 'vitest';
import { acquireGpu, add, engineFor, tensor } from '../src/index.ts';

describe('Engine.profile: GPU time of each dispatch, by operation', () => {
  it('times every dispatch the work encodes, and nothing after it', async () => {
    const gpu = await acquireGpu();
    const engine = engineFor(gpu);
    const a = tensor(
      gpu,
      Float32Array.from({ length: 37 }, (_, i) => i),
      [37],
    );
    const b = tensor(
      gpu,
      Float32Array.from({ length: 37 }, (_, i) => 2 * i),
      [37],
    );
    const { result, operations } = await engine.profile(async () => {
      const sum = add(add(a, b), b);
      return sum.read();
    });
    expect(result[36]).toBe(36 * 5);
    const adds = operations.filter(({ kernel }) => kernel.startsWith('add'));
    expect(adds.reduce((count, { dispatches }) => count + dispatches, 0)).toBe(2);
    for (const time of adds) {
      expect(time.seconds).toBeGreaterThan(0);
      expect(time.inputBytes).toBe(2 * 37 * 4);
    }
    // Later work is not timed: a second profile reports only its own dispatches.
    await add(a, b).read();
    const again = await engine.profile(async () => add(a, a).read());
    expect(again.operations.reduce((count, { dispatches }) => count + dispatches, 0)).toBe(1);
  });

  it('passes on the error of work that fails, and times nothing after it', async () => {
    const gpu = await acquireGpu();
    const engine = engineFor(gpu);
    const a = tensor(
      gpu,
      Float32Array.from({ length: 5 }, (_, i) => i),
      [5],
    );
    await expect(
      engine.profile(async () => {
        add(a, a);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    const after = await engine.profile(async () => add(a, a).read());
    expect(after.operations.reduce((count, { dispatches }) => count + dispatches, 0)).toBe(1);
  });
});
