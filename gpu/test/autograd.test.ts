import { describe, expect, it } from 'vitest';
import {
  acquireGpu,
  add,
  backward,
  batchMatmul,
  crossEntropy,
  mul,
  noGrad,
  silu,
  softmax,
  sum,
  tensor,
} from '../src/index.ts';
import { applyOp } from '../src/ops/apply.ts';
import { defineOp } from '../src/ops/registry.ts';
import { cloneTensor } from '../src/tensor/create.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { expectClose, numericGradient, randomValues, upload } from './ops/helpers.ts';

const [TOKENS, WIDTH, HIDDEN, VOCABULARY] = [7, 5, 9, 11];
const TARGETS = Int32Array.from({ length: TOKENS }, (_, index) => (index * 4) % VOCABULARY);

/** crossEntropy(silu(x W1) W2, targets) in float64: a two-layer model's loss. */
function referenceLoss([x, w1, w2]: readonly Float64Array[]): Float64Array {
  let total = 0;
  for (let token = 0; token < TOKENS; token++) {
    const hidden = Array.from({ length: HIDDEN }, (_, h) => {
      let value = 0;
      for (let d = 0; d < WIDTH; d++) value += x![token * WIDTH + d]! * w1![d * HIDDEN + h]!;
      return value / (1 + Math.exp(-value));
    });
    const logits = Array.from({ length: VOCABULARY }, (_, v) =>
      hidden.reduce((sum, value, h) => sum + value * w2![h * VOCABULARY + v]!, 0),
    );
    const max = Math.max(...logits);
    const logSumExp = max + Math.log(logits.reduce((sum, value) => sum + Math.exp(value - max), 0));
    total += logSumExp - logits[TARGETS[token]!]!;
  }
  return Float64Array.of(total / TOKENS);
}

async function model(frozen: { w1?: boolean } = {}) {
  const gpu = await acquireGpu();
  const values = [
    randomValues(TOKENS * WIDTH, 1),
    randomValues(WIDTH * HIDDEN, 2),
    randomValues(HIDDEN * VOCABULARY, 3),
  ].map((array) => Float64Array.from(Float32Array.from(array)));
  const x = upload(gpu, values[0]!, [TOKENS, WIDTH], true);
  const w1 = upload(gpu, values[1]!, [WIDTH, HIDDEN], !frozen.w1);
  const w2 = upload(gpu, values[2]!, [HIDDEN, VOCABULARY], true);
  const targets = tensor(gpu, TARGETS, [TOKENS]);
  const forward = () => {
    const hidden = silu(batchMatmul(x, w1));
    const logits = batchMatmul(hidden, w2);
    return { hidden, logits, loss: crossEntropy(logits, targets) };
  };
  return { values, x, w1, w2, forward };
}

describe('autograd', () => {
  it("matches central differences of a two-layer model's loss for every parameter", async () => {
    const { values, x, w1, w2, forward } = await model();
    const { loss } = forward();
    expect(await loss.read()).toHaveLength(1);
    expect((await loss.read())[0]).toBeCloseTo(referenceLoss(values)[0]!, 5);

    backward(loss);

    const weights = Float64Array.of(1);
    const shapes = [
      [TOKENS, WIDTH],
      [WIDTH, HIDDEN],
      [HIDDEN, VOCABULARY],
    ];
    for (const [index, parameter] of [x, w1, w2].entries()) {
      const expected = numericGradient(referenceLoss, values, weights, shapes, index);
      expectClose(await parameter.grad!.read(), expected, 1e-5);
    }
  });

  it('accumulates gradients across backward calls until zeroGrad', async () => {
    const { w2, forward } = await model();
    backward(forward().loss);
    const once = await w2.grad!.read();
    backward(forward().loss);
    expectClose(
      await w2.grad!.read(),
      once.map((value) => 2 * value),
      1e-6,
    );

    w2.zeroGrad();
    expect(w2.grad).toBeUndefined();
    backward(forward().loss);
    expectClose(await w2.grad!.read(), once, 1e-6);
  });

  it('computes no gradient for frozen parameters', async () => {
    const { w1, x, forward } = await model({ w1: true });
    backward(forward().loss);
    expect(w1.grad).toBeUndefined();
    expect(x.grad).toBeDefined();
  });

  it('records nothing under noGrad', async () => {
    const { forward } = await model();
    const { hidden, loss } = noGrad(forward);
    expect(loss.requiresGrad).toBe(false);
    expect(hidden.gradNode).toBeUndefined();
    expect(() => backward(loss)).toThrow(
      'backward from [] f32: the loss depends on no tensor that requires a gradient',
    );
  });

  it('frees intermediates after backward, except the loss and those kept', async () => {
    const { forward } = await model();
    const { hidden, logits, loss } = forward();
    backward(loss, { keep: [logits] });
    expect(hidden.disposed).toBe(true);
    await expect(hidden.read()).rejects.toThrow(
      'read [7, 9] f32: tensor [7, 9] f32 (made by silu([7, 9] f32)) was used after dispose',
    );
    expect(await logits.read()).toHaveLength(TOKENS * VOCABULARY);
    expect(await loss.read()).toHaveLength(1);
    expect(loss.gradNode).toBeUndefined();
    expect(() => backward(loss)).toThrow(
      'backward from [] f32: its graph was freed by an earlier backward',
    );
  });

  it('still reaches the leaves through an intermediate disposed before backward', async () => {
    const gpu = await acquireGpu();
    const x = tensor(gpu, [1, -2, 3], [3], { requiresGrad: true });
    const doubled = add(x, x);
    const loss = sum(doubled);
    doubled.dispose();
    backward(loss);
    expect([...(await x.grad!.read())]).toEqual([2, 2, 2]);
  });

  it('names the tensor when backward needs the values of one disposed before it', async () => {
    const gpu = await acquireGpu();
    const x = tensor(gpu, [1, -2, 3], [3], { requiresGrad: true });
    const probabilities = softmax(x);
    const loss = sum(mul(probabilities, tensor(gpu, [1, 2, 3], [3])));
    probabilities.dispose();
    expect(() => backward(loss)).toThrow(
      'softmax backward([3] f32, [3] f32): tensor [3] f32 (made by softmax([3] f32)) was used ' +
        'after dispose',
    );
  });

  it('sums the gradients of a tensor used twice by one op', async () => {
    const gpu = await acquireGpu();
    const x = tensor(gpu, [1, -2, 3], [3], { requiresGrad: true });
    backward(sum(add(mul(x, x), x)));
    expect([...(await x.grad!.read())]).toEqual([3, -3, 7]);
    x.zeroGrad();
    backward(sum(add(x, x)));
    expect([...(await x.grad!.read())]).toEqual([2, 2, 2]);
  });

  it('needs a one-element loss', async () => {
    const gpu = await acquireGpu();
    const x = tensor(gpu, [1, 2], [2], { requiresGrad: true });
    expect(() => backward(silu(x))).toThrow('backward from [2] f32: the loss must hold one value');
  });

  it('frees each op output and its saved intermediates as soon as its backward has run', async () => {
    const gpu = await acquireGpu();
    const seen: { laterFreed?: boolean; ownSavedAlive?: boolean } = {};
    const tracked: { later?: Tensor } = {};
    // An identity op whose backward looks at what backward has freed by the time it runs.
    const probe = defineOp({
      name: 'probe (autograd test)',
      forward([x]) {
        return {
          output: cloneTensor(x!, 'probe'),
          saved: [cloneTensor(x!, 'probe saved')],
        };
      },
      backward({ gradOutput, saved: [own] }) {
        seen.laterFreed = tracked.later!.disposed;
        seen.ownSavedAlive = !own!.disposed;
        return [cloneTensor(gradOutput, 'probe backward')];
      },
    });
    const x = tensor(gpu, [1, 2, 3], [3], { requiresGrad: true });
    const probed = applyOp(probe, [x], undefined);
    tracked.later = mul(probed, probed);
    const loss = sum(tracked.later);
    backward(loss);
    expect(seen).toEqual({ laterFreed: true, ownSavedAlive: true });
    expect(probed.disposed).toBe(true);
    expectClose(await x.grad!.read(), Float64Array.of(2, 4, 6), 1e-6);
    x.zeroGrad();
    x.dispose();
    loss.dispose();
  });

  it('accumulates a gradient handed to both inputs of one op onto a leaf that already has one', async () => {
    const gpu = await acquireGpu();
    const x = tensor(gpu, [1, 2, 3], [3], { requiresGrad: true });
    // add's backward hands its output gradient to both inputs; the second backward adds to x.grad.
    for (let pass = 0; pass < 2; pass++) {
      const loss = sum(add(x, x));
      backward(loss);
      loss.dispose();
    }
    expectClose(await x.grad!.read(), Float64Array.of(4, 4, 4), 0);
    x.zeroGrad();
    x.dispose();
  });
});
