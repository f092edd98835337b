import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  acquireGpu,
  backward,
  LlamaModel,
  noGrad,
  packTokens,
  tensor,
  type Gpu,
} from '../../src/index.ts';
import { TrainableLlama } from '../../src/train/trainable-llama.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { FIXTURE_VARIANTS, fixtureTokens, writeFixtureCheckpoint } from '../reference/fixtures.ts';
import { loadReferenceWeights, referenceLogits } from '../reference/llama-f64.ts';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;

beforeAll(async () => {
  gpu = await acquireGpu();
});

// Two sequences of 13 tokens: the batch and the positions are both off any tile size.
const SEQUENCES = 2;
const POSITIONS = 13;
// Measured on lavapipe: 4.1-5.8e-6 from the inference path and 4.1-4.8e-6 from float64 over every
// fixture variant (logits of size 1-10); the bound is 1e-4, this keeps a 3x margin.
const TOLERANCE = 2e-5;

function largestDifference(actual: Float32Array, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let largest = 0;
  actual.forEach((value, index) => {
    largest = Math.max(largest, Math.abs(value - expected[index]!));
  });
  return largest;
}

/** The inference path's logits of each sequence run alone from position 0, rows concatenated. */
async function inferenceLogits(directory: string, sequences: number[][]): Promise<Float32Array> {
  const model = await LlamaModel.open(gpu, directory);
  const cache = model.createCache(sequences.length, 64);
  try {
    const batch = packTokens(sequences.map((ids, slot) => ({ slot, start: 0, ids })));
    return await model.forward(batch, cache, 'all').read();
  } finally {
    cache.dispose();
  }
}

describe('TrainableLlama', () => {
  for (const { name, options } of FIXTURE_VARIANTS) {
    it(`${name}: no-grad logits equal the inference path's and the float64 reference's`, async () => {
      const directory = join(await temporaryFolder(), 'model');
      const config = await writeFixtureCheckpoint(directory, options);
      const sequences = Array.from({ length: SEQUENCES }, (_, index) =>
        fixtureTokens(config.vocab_size, POSITIONS, 5 + index),
      );
      const model = await TrainableLlama.open(gpu, directory);
      const ids = tensor(gpu, Int32Array.from(sequences.flat()), [SEQUENCES * POSITIONS]);
      try {
        const { output, activations } = noGrad(() =>
          model.logits({ ids, batch: SEQUENCES, positions: POSITIONS }),
        );
        const logits = await output.read();
        activations.dispose();
        expect(logits.length).toBe(SEQUENCES * POSITIONS * config.vocab_size);

        expect(largestDifference(logits, await inferenceLogits(directory, sequences))).toBeLessThan(
          TOLERANCE,
        );
        const weights = await loadReferenceWeights(directory);
        const reference = sequences.flatMap((sequence) =>
          referenceLogits(config, weights, sequence).flatMap((row) => [...row]),
        );
        expect(largestDifference(logits, reference)).toBeLessThan(TOLERANCE);
      } finally {
        ids.dispose();
        model.dispose();
      }
    });
  }

  it('frozen parameters get no gradient; the others get one', async () => {
    const directory = join(await temporaryFolder(), 'model');
    const config = await writeFixtureCheckpoint(directory, { heads: 4, kvHeads: 2 });
    const model = await TrainableLlama.open(gpu, directory);
    const tokens = fixtureTokens(config.vocab_size, POSITIONS + 1, 9);
    const ids = tensor(gpu, Int32Array.from(tokens.slice(0, -1)), [POSITIONS]);
    const targets = tensor(gpu, Int32Array.from(tokens.slice(1)), [POSITIONS]);
    try {
      expect(model.parameters.freeze(/^model\.(embed_tokens|layers\.0\.)/)).toBe(10);
      const { output: loss, activations } = model.loss(
        { ids, batch: 1, positions: POSITIONS },
        targets,
      );
      backward(loss);
      activations.dispose(loss);
      expect(Number.isFinite((await loss.read())[0])).toBe(true);
      for (const name of model.parameters.names) {
        const frozen = /^model\.(embed_tokens|layers\.0\.)/.test(name);
        expect(model.parameters.get(name).grad === undefined, name).toBe(frozen);
      }
      loss.dispose();
    } finally {
      ids.dispose();
      targets.dispose();
      model.dispose();
    }
  });
});
