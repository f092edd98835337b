import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, noGrad, tensor, type Gpu } from '../../../src/index.ts';
import { factoriseLayer, factorisationSchema } from '../../../src/factor/factorise.ts';
import { paLabel, routerAgreement } from '../../../src/train/finetune/pa-prior.ts';
import { randomValues, relativeError } from '../../ops/helpers.ts';
import { expertTensors, neuronSum, type DenseFfn } from './dense-ffn.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await acquireGpu();
});

// Not multiples of any tile: 37 tokens, width 24, an FFN of 50 cut into 4 uneven experts.
const TOKENS = 37;
const D = 24;
const F = 50;
const EXPERTS = 4;

describe('the PA prior', () => {
  for (const split of ['sequential', 'random'] as const) {
    for (const k of [1, 2]) {
      it(`labels the ${k} experts closest to ${k}/${EXPERTS} of the dense output (${split} split)`, async () => {
        const round = (values: Float64Array) => Float64Array.from(Float32Array.from(values));
        const ffn: DenseFfn = {
          d: D,
          f: F,
          gate: round(randomValues(F * D, 1, -0.4, 0.4)),
          up: round(randomValues(F * D, 2, -0.4, 0.4)),
          down: round(randomValues(D * F, 3, -0.4, 0.4)),
        };
        const h = round(randomValues(TOKENS * D, 4));
        const { experts } = factoriseLayer(
          0,
          Float32Array.from(ffn.gate),
          F,
          D,
          factorisationSchema.parse({ experts: EXPERTS, topK: k, split, seed: 3 }),
        );
        const expectedErrors = new Float64Array(TOKENS * EXPERTS);
        const dense = new Float64Array(TOKENS * D);
        for (let t = 0; t < TOKENS; t++) {
          const full = neuronSum(ffn, h, t, [...Array(F).keys()]);
          dense.set(full, t * D);
          experts.forEach((neurons, e) => {
            const part = neuronSum(ffn, h, t, neurons);
            let total = 0;
            for (let i = 0; i < D; i++) total += (part[i]! - (k / EXPERTS) * full[i]!) ** 2;
            expectedErrors[t * EXPERTS + e] = total / D;
          });
        }
        const weights = expertTensors(gpu, ffn, experts);
        const input = tensor(gpu, Float32Array.from(h), [TOKENS, D]);
        const output = tensor(gpu, Float32Array.from(dense), [TOKENS, D]);
        const label = paLabel({ input, output }, weights, k);
        const [errors, mask] = [await label.errors.read(), await label.mask.read()];
        expect(relativeError(errors, expectedErrors)).toBeLessThan(1e-4);
        let decided = 0;
        for (let t = 0; t < TOKENS; t++) {
          const row = [...expectedErrors.subarray(t * EXPERTS, (t + 1) * EXPERTS)];
          const sorted = [...row].sort((a, b) => a - b);
          // A near-tie at the k-th place may go either way in f32: only decided tokens count.
          if (sorted[k]! - sorted[k - 1]! < 1e-6 * sorted[k]!) continue;
          decided++;
          row.forEach((error, e) =>
            expect(mask[t * EXPERTS + e], `token ${t} expert ${e}`).toBe(
              error <= sorted[k - 1]! ? 1 : 0,
            ),
          );
        }
        expect(decided).toBeGreaterThan(TOKENS - 3);
        // The label agrees with itself completely, and with its complement not at all.
        const self = routerAgreement(label.mask, label, k);
        expect((await self.read())[0]).toBeCloseTo(1, 6);
        const complement = noGrad(() =>
          tensor(
            gpu,
            Float32Array.from(mask, (chosen) => 1 - chosen),
            [TOKENS, EXPERTS],
          ),
        );
        const none = routerAgreement(complement, label, k);
        expect((await none.read())[0]).toBe(0);
        for (const done of [self, none, complement, input, output, ...Object.values(weights)])
          done.dispose();
        label.dispose();
      });
    }
  }

  it('aims the routed experts at the dense output less the shared expert when there is one', async () => {
    const ffn: DenseFfn = {
      d: D,
      f: F,
      gate: randomValues(F * D, 5, -0.4, 0.4),
      up: randomValues(F * D, 6, -0.4, 0.4),
      down: randomValues(D * F, 7, -0.4, 0.4),
    };
    const h = randomValues(TOKENS * D, 8);
    const experts = [0, 1, 2, 3].map((e) => [...Array(F).keys()].filter((n) => n % 4 === e));
    const weights = expertTensors(gpu, ffn, experts);
    const shared = new Float64Array(TOKENS * D).map((_, index) => 0.01 * (index % 7));
    const dense = new Float64Array(TOKENS * D);
    for (let t = 0; t < TOKENS; t++) dense.set(neuronSum(ffn, h, t, [...Array(F).keys()]), t * D);
    const upload = (values: Float64Array) => tensor(gpu, Float32Array.from(values), [TOKENS, D]);
    const [input, output, sharedOutput] = [upload(h), upload(dense), upload(shared)];
    const label = paLabel({ input, output }, weights, 1, sharedOutput);
    const errors = await label.errors.read();
    for (let t = 0; t < TOKENS; t += 9) {
      const part = neuronSum(ffn, h, t, experts[2]!);
      let total = 0;
      for (let i = 0; i < D; i++)
        total += (part[i]! - 0.25 * (dense[t * D + i]! - shared[t * D + i]!)) ** 2;
      expect(errors[t * EXPERTS + 2]).toBeCloseTo(total / D, 5);
    }
    for (const done of [input, output, sharedOutput, ...Object.values(weights)]) done.dispose();
    label.dispose();
  });
});
