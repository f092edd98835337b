import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, backward, tensor, type Gpu, type Tensor } from '../../../src/index.ts';
import { Activations } from '../../../src/train/activations.ts';
import { ffnDistillLoss, meanSquareOf } from '../../../src/train/finetune/losses.ts';
import type { Gating } from '../../../src/train/moe.ts';
import { asFloat32, randomValues, relativeError } from '../../ops/helpers.ts';
import { denseOutput, expertLayout, type DenseFfn } from './dense-ffn.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await acquireGpu();
});

// Not multiples of any tile: 37 tokens, width 24, an FFN of 50 cut into experts of 13, 13, 12, 12.
const TOKENS = 37;
const D = 24;
const F = 50;
const EXPERTS = 4;
const BLOCKS = [0, 13, 26, 38, 50];
const SPLIT = [0, 1, 2, 3].map((e) =>
  [...Array(BLOCKS[e + 1]! - BLOCKS[e]!).keys()].map((n) => BLOCKS[e]! + n),
);

const silu = (x: number) => x / (1 + Math.exp(-x));

/** The float64 weights the test trains: experts in moe.ts's layout and a linear router [N, d]. */
interface Weights {
  width: number;
  gate: Float64Array;
  up: Float64Array;
  down: Float64Array;
  router: Float64Array;
}

/**
 * mean((M(h) - target)^2) / mean(target^2) in float64, M the mixture of the router's top k
 * experts.
 */
function referenceLoss(
  weights: Weights,
  h: Float64Array,
  target: Float64Array,
  k: number,
  gating: Gating,
): number {
  const { width: w } = weights;
  let total = 0;
  for (let t = 0; t < TOKENS; t++) {
    const x = h.subarray(t * D, (t + 1) * D);
    const logits = Array.from({ length: EXPERTS }, (_, e) =>
      x.reduce((sum, value, i) => sum + value * weights.router[e * D + i]!, 0),
    );
    const chosen = [...logits.keys()].sort((a, b) => logits[b]! - logits[a]!).slice(0, k);
    const exps = chosen.map((e) => Math.exp(logits[e]! - logits[chosen[0]!]!));
    const gates =
      gating === 'softmax'
        ? exps.map((value) => value / exps.reduce((sum, one) => sum + one, 0))
        : chosen.map(() => EXPERTS / k);
    const mixture = new Float64Array(D);
    chosen.forEach((e, slot) => {
      for (let c = 0; c < w; c++) {
        let g = 0;
        let u = 0;
        for (let i = 0; i < D; i++) {
          g += weights.gate[(e * D + i) * w + c]! * x[i]!;
          u += weights.up[(e * D + i) * w + c]! * x[i]!;
        }
        const activation = silu(g) * u * gates[slot]!;
        for (let i = 0; i < D; i++) mixture[i]! += weights.down[(e * w + c) * D + i]! * activation;
      }
    });
    for (let i = 0; i < D; i++) total += (mixture[i]! - target[t * D + i]!) ** 2;
  }
  const meanSquare = target.reduce((sum, value) => sum + value * value, 0) / target.length;
  return total / (TOKENS * D) / meanSquare;
}

/** d loss / d weights[name][index] for the sampled indices, by central differences. */
function numericGradient(
  weights: Weights,
  name: 'gate' | 'down' | 'router',
  indices: readonly number[],
  loss: (weights: Weights) => number,
): number[] {
  const step = 1e-5;
  return indices.map((index) => {
    const values = weights[name];
    const saved = values[index]!;
    values[index] = saved + step;
    const above = loss(weights);
    values[index] = saved - step;
    const below = loss(weights);
    values[index] = saved;
    return (above - below) / (2 * step);
  });
}

function setUp(seed: number) {
  const ffn: DenseFfn = {
    d: D,
    f: F,
    gate: asFloat32(randomValues(F * D, seed, -0.4, 0.4)),
    up: asFloat32(randomValues(F * D, seed + 1, -0.4, 0.4)),
    down: asFloat32(randomValues(D * F, seed + 2, -0.4, 0.4)),
  };
  const h = asFloat32(randomValues(TOKENS * D, seed + 3));
  const dense = asFloat32(denseOutput(ffn, h, TOKENS));
  const weights: Weights = {
    ...expertLayout(ffn, SPLIT),
    router: asFloat32(randomValues(EXPERTS * D, seed + 4, -0.5, 0.5)),
  };
  return { h, dense, weights };
}

function upload(values: Float64Array, shape: number[], requiresGrad = false): Tensor {
  return tensor(gpu, Float32Array.from(values), shape, { requiresGrad });
}

describe('the per-layer FFN distillation loss', () => {
  it('is zero when every expert is chosen (k = N) and the FactorLLM gate is N / k = 1', async () => {
    const { h, dense, weights } = setUp(11);
    const w = weights.width;
    const activations = new Activations();
    const [input, output] = [upload(h, [TOKENS, D]), upload(dense, [TOKENS, D])];
    const loss = ffnDistillLoss(
      { input, output },
      {
        router: upload(weights.router, [EXPERTS, D]),
        gate: upload(weights.gate, [EXPERTS, D, w]),
        up: upload(weights.up, [EXPERTS, D, w]),
        down: upload(weights.down, [EXPERTS, w, D]),
      },
      { experts: EXPERTS, topK: EXPERTS, gating: 'factorllm' },
      activations,
      await meanSquareOf(output),
    );
    expect((await loss.read())[0]!).toBeLessThan(1e-10);
    activations.dispose();
    input.dispose();
    output.dispose();
  });

  for (const gating of ['factorllm', 'softmax'] as const) {
    for (const k of [1, 2]) {
      it(`equals the float64 mean squared error and its gradients (k = ${k}, ${gating} gating)`, async () => {
        const { h, dense, weights } = setUp(20 + k);
        const w = weights.width;
        const tensors = {
          router: upload(weights.router, [EXPERTS, D], true),
          gate: upload(weights.gate, [EXPERTS, D, w], true),
          up: upload(weights.up, [EXPERTS, D, w], true),
          down: upload(weights.down, [EXPERTS, w, D], true),
        };
        const [input, output] = [upload(h, [TOKENS, D]), upload(dense, [TOKENS, D])];
        const activations = new Activations();
        const loss = ffnDistillLoss(
          { input, output },
          tensors,
          { experts: EXPERTS, topK: k, gating },
          activations,
          await meanSquareOf(output),
        );
        backward(loss, { keep: [loss] });
        const reference = (values: Weights) => referenceLoss(values, h, dense, k, gating);
        const expected = reference(weights);
        expect(expected).toBeGreaterThan(1e-3);
        expect(Math.abs((await loss.read())[0]! - expected) / expected).toBeLessThan(1e-5);

        // Entries that route: the first columns of each expert (padding columns get none).
        const sampled = (name: 'gate' | 'down') =>
          [0, 1, 2, 3].flatMap((e) =>
            [0, 5, 11].map((c) =>
              name === 'gate' ? (e * D + (c % D)) * w + c : (e * w + c) * D + ((c * 7) % D),
            ),
          );
        for (const name of ['gate', 'down'] as const) {
          const indices = sampled(name);
          const actual = await tensors[name].grad!.read();
          const numeric = numericGradient(weights, name, indices, reference);
          expect(
            relativeError(
              indices.map((index) => actual[index]!),
              numeric,
            ),
            name,
          ).toBeLessThan(2e-3);
          expect(Math.max(...numeric.map(Math.abs))).toBeGreaterThan(1e-4);
        }
        // FactorLLM's gate is a constant N / k: the router learns from the PA loss alone.
        const routerGrad = tensors.router.grad && (await tensors.router.grad.read());
        const routerIndices = [...Array(EXPERTS * D).keys()];
        if (gating === 'factorllm')
          expect(routerGrad?.every((value) => value === 0) ?? true).toBe(true);
        else
          expect(
            relativeError(
              Array.from(routerGrad!),
              numericGradient(weights, 'router', routerIndices, reference),
            ),
          ).toBeLessThan(2e-3);
        activations.dispose(loss);
        for (const done of [loss, input, output, ...Object.values(tensors)]) done.dispose();
      });
    }
  }
});
