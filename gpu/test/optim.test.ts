import { describe, expect, it } from 'vitest';
import {
  acquireGpu,
  AdamW,
  backward,
  batchMatmul,
  clipGradNorm,
  crossEntropy,
  embedding,
  engineFor,
  rmsNorm,
  tensor,
} from '../src/index.ts';
import { expectClose, randomValues } from './ops/helpers.ts';

/** torch.optim.AdamW's update in float64, over `steps` gradients with per-step learning rates. */
function referenceAdamW(
  initial: Float64Array,
  grads: Float64Array[],
  rates: number[],
  [beta1, beta2]: [number, number],
  eps: number,
  weightDecay: number,
): Float64Array {
  const param = Float64Array.from(initial);
  const first = new Float64Array(param.length);
  const second = new Float64Array(param.length);
  grads.forEach((grad, index) => {
    const step = index + 1;
    const rate = rates[index]!;
    for (let i = 0; i < param.length; i++) {
      param[i]! *= 1 - rate * weightDecay;
      first[i] = beta1 * first[i]! + (1 - beta1) * grad[i]!;
      second[i] = beta2 * second[i]! + (1 - beta2) * grad[i]! ** 2;
      const firstHat = first[i]! / (1 - beta1 ** step);
      const secondHat = second[i]! / (1 - beta2 ** step);
      param[i]! -= (rate * firstHat) / (Math.sqrt(secondHat) + eps);
    }
  });
  return param;
}

describe('AdamW', () => {
  it('matches PyTorch’s AdamW update over steps with a changing learning rate', async () => {
    const gpu = await acquireGpu();
    const initial = Float64Array.from(Float32Array.from(randomValues(33, 1)));
    const grads = [2, 3, 4].map((seed) =>
      Float64Array.from(Float32Array.from(randomValues(33, seed))),
    );
    const rates = [1e-2, 1e-2, 5e-3];
    const param = tensor(gpu, Float32Array.from(initial), [3, 11], { requiresGrad: true });
    const frozenGradless = tensor(gpu, [1, 2], [2], { requiresGrad: true });
    const optimizer = new AdamW([param, frozenGradless], {
      learningRate: 1e-2,
      betas: [0.9, 0.95],
      eps: 1e-8,
      weightDecay: 0.1,
    });
    grads.forEach((grad, index) => {
      param.grad = tensor(gpu, Float32Array.from(grad), [3, 11]);
      optimizer.step(rates[index]);
      optimizer.zeroGrad();
    });
    const expected = referenceAdamW(initial, grads, rates, [0.9, 0.95], 1e-8, 0.1);
    expectClose(await param.read(), expected, 1e-6);
    expect([...(await frozenGradless.read())]).toEqual([1, 2]);
    optimizer.dispose();
  });
});

describe('clipGradNorm', () => {
  it('scales gradients to the maximum norm and returns the norm before clipping', async () => {
    const gpu = await acquireGpu();
    const values = [randomValues(250, 5), randomValues(7, 6)];
    const norm = Math.sqrt(values.flatMap((array) => [...array]).reduce((s, v) => s + v * v, 0));
    const grads = values.map((array) => tensor(gpu, Float32Array.from(array), [array.length]));
    const returned = clipGradNorm(grads, 1);
    expect((await returned.read())[0]).toBeCloseTo(norm, 4);
    for (const [index, grad] of grads.entries()) {
      expectClose(
        await grad.read(),
        values[index]!.map((value) => value / (norm + 1e-6)),
        1e-6,
      );
    }
  });

  it('leaves gradients under the maximum as they are', async () => {
    const gpu = await acquireGpu();
    const grad = tensor(gpu, [0.3, -0.4], [2]);
    expect((await clipGradNorm([grad], 1).read())[0]).toBeCloseTo(0.5, 6);
    expect([...(await grad.read())]).toEqual([...Float32Array.of(0.3, -0.4)]);
  });
});

describe('a training loop', () => {
  it('lowers the loss, with one submit per step', async () => {
    const gpu = await acquireGpu();
    const [vocabulary, width, tokens] = [33, 16, 7];
    const table = tensor(
      gpu,
      Float32Array.from(randomValues(vocabulary * width, 7)),
      [vocabulary, width],
      { requiresGrad: true },
    );
    const norm = tensor(gpu, new Float32Array(width).fill(1), [width], { requiresGrad: true });
    const head = tensor(
      gpu,
      Float32Array.from(randomValues(width * vocabulary, 8)),
      [width, vocabulary],
      { requiresGrad: true },
    );
    const ids = tensor(
      gpu,
      Int32Array.from({ length: tokens }, (_, index) => index * 3),
      [tokens],
    );
    const targets = tensor(
      gpu,
      Int32Array.from({ length: tokens }, (_, index) => index * 3 + 1),
      [tokens],
    );
    const parameters = [table, norm, head];
    const optimizer = new AdamW(parameters, { learningRate: 0.05 });
    const engine = engineFor(gpu);
    const losses: number[] = [];
    const submitsBefore = engine.batch.submits;
    for (let step = 0; step < 20; step++) {
      const loss = crossEntropy(batchMatmul(rmsNorm(embedding(table, ids), norm), head), targets);
      backward(loss);
      clipGradNorm(
        parameters.map((parameter) => parameter.grad!),
        1,
      ).dispose();
      optimizer.step();
      optimizer.zeroGrad();
      losses.push((await loss.read())[0]!);
      loss.dispose();
    }
    expect(engine.batch.submits - submitsBefore).toBe(20);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
  });
});
