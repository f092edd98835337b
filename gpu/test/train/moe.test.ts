import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  acquireGpu,
  backward,
  Checkpoint,
  LlamaModel,
  noGrad,
  packTokens,
  tensor,
  type Gpu,
  type LayerFactorisation,
} from '../../src/index.ts';
import { expertParameterValues, moeParameterNames, type Gating } from '../../src/train/moe.ts';
import { readParameterValues } from '../../src/train/parameters.ts';
import { TrainableLlama } from '../../src/train/trainable-llama.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { asEngineLayers, roundedRouters } from '../reference/engine-factorisation.ts';
import {
  fixtureTokens,
  randomFactorisation,
  writeFixtureCheckpoint,
} from '../reference/fixtures.ts';
import { loadReferenceWeights, referenceLogits } from '../reference/llama-f64.ts';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;
beforeAll(async () => {
  gpu = await acquireGpu();
});

const POSITIONS = 11;
// As for the dense model (trainable-llama.test.ts): measured 4-6e-6, a 3x margin.
const TOLERANCE = 2e-5;

async function factorisedModel(directory: string, layers: LayerFactorisation[], gating: Gating) {
  const checkpoint = await Checkpoint.open(directory);
  try {
    const values = expertParameterValues(
      await readParameterValues(checkpoint),
      checkpoint.config,
      layers,
    );
    return TrainableLlama.fromValues(gpu, checkpoint.config, values, {
      experts: layers[0]!.experts.length,
      topK: 2,
      gating,
    });
  } finally {
    await checkpoint.close();
  }
}

function largestDifference(actual: Float32Array, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  return actual.reduce(
    (largest, value, index) => Math.max(largest, Math.abs(value - expected[index]!)),
    0,
  );
}

describe('TrainableLlama with mixture-of-experts FFNs', () => {
  it('FactorLLM gating: logits equal the inference path’s and float64’s, experts of unequal width', async () => {
    const directory = join(await temporaryFolder(), 'model');
    // 100 neurons into 3 experts: 33, 33 and 34 wide, so the narrower ones are padded.
    const config = await writeFixtureCheckpoint(directory, { heads: 4, kvHeads: 2 });
    const factorisation = roundedRouters(randomFactorisation(config, 3, 2, 5));
    const layers = asEngineLayers(factorisation);
    const ids = fixtureTokens(config.vocab_size, POSITIONS, 4);

    const model = await factorisedModel(directory, layers, 'factorllm');
    const idsTensor = tensor(gpu, Int32Array.from(ids), [POSITIONS]);
    const pass = noGrad(() => model.logits({ ids: idsTensor, batch: 1, positions: POSITIONS }));
    const logits = await pass.output.read();
    expect(pass.routerLogits).toHaveLength(config.num_hidden_layers);
    expect(pass.routerLogits[0]!.shape).toEqual([POSITIONS, 3]);
    pass.activations.dispose();
    idsTensor.dispose();
    model.dispose();

    const inference = await LlamaModel.open(gpu, directory, { expertLayers: { topK: 2, layers } });
    const cache = inference.createCache(1, 64);
    const expected = await inference
      .forward(packTokens([{ slot: 0, start: 0, ids }]), cache, 'all')
      .read();
    cache.dispose();
    expect(largestDifference(logits, expected)).toBeLessThan(TOLERANCE);

    const weights = await loadReferenceWeights(directory);
    const reference = referenceLogits(config, weights, ids, factorisation).flatMap((row) => [
      ...row,
    ]);
    expect(largestDifference(logits, reference)).toBeLessThan(TOLERANCE);
  });

  it.each([
    { gating: 'factorllm', routerLearns: false, router: 'none (it learns from a loss of its own)' },
    { gating: 'softmax', routerLearns: true, router: 'one too' },
  ] as const)(
    '$gating gating: the experts get gradients, the router $router',
    async ({ gating, routerLearns }) => {
      const directory = join(await temporaryFolder(), 'model');
      const config = await writeFixtureCheckpoint(directory, { heads: 4, kvHeads: 2 });
      const layers = asEngineLayers(randomFactorisation(config, 4, 2, 3));
      const model = await factorisedModel(directory, layers, gating);
      const tokens = fixtureTokens(config.vocab_size, POSITIONS + 1, 6);
      const ids = tensor(gpu, Int32Array.from(tokens.slice(0, -1)), [POSITIONS]);
      const targets = tensor(gpu, Int32Array.from(tokens.slice(1)), [POSITIONS]);
      try {
        const pass = model.loss({ ids, batch: 1, positions: POSITIONS }, targets);
        backward(pass.output);
        pass.activations.dispose(pass.output);
        pass.output.dispose();
        const names = moeParameterNames(1);
        const gradient = async (name: string) => {
          const grad = model.parameters.get(name).grad;
          return grad ? Math.max(...(await grad.read()).map(Math.abs)) : 0;
        };
        for (const name of [names.gate, names.up, names.down])
          expect(await gradient(name), name).toBeGreaterThan(0);
        expect((await gradient(names.router)) > 0).toBe(routerLearns);
        expect(model.parameters.has('model.layers.1.mlp.gate_proj.weight')).toBe(false);
      } finally {
        ids.dispose();
        targets.dispose();
        model.dispose();
      }
    },
  );
});
