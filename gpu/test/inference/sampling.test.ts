import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, engineFor, generate, LlamaModel, tensor, type Gpu } from '../../src/index.ts';
import { Sampler } from '../../src/inference/sampler.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { FIXTURE_VARIANTS, fixtureTokens, writeFixtureCheckpoint } from '../reference/fixtures.ts';
import { loadReferenceWeights, referenceLogits } from '../reference/llama-f64.ts';
import { join } from 'node:path';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;

beforeAll(async () => {
  gpu = await acquireGpu();
});

/** `rows` copies of the logits of `probabilities`, over a vocabulary of 250 (not a tile size). */
function logitRows(probabilities: readonly number[], rows: number, vocabulary = 250) {
  const row = new Float32Array(vocabulary).fill(-1e4);
  probabilities.forEach((p, index) => (row[index * 37] = Math.log(p)));
  const values = new Float32Array(rows * vocabulary);
  for (let r = 0; r < rows; r++) values.set(row, r * vocabulary);
  return tensor(gpu, values, [rows, vocabulary]);
}

function frequencies(ids: readonly number[], tokens: number): number[] {
  return Array.from(
    { length: tokens },
    (_, index) => ids.filter((id) => id === index * 37).length / ids.length,
  );
}

describe('sampling on the GPU', () => {
  it('greedy picks the largest logit, the lower index on ties', async () => {
    const values = new Float32Array(3 * 250).fill(-1);
    values[7] = 5;
    values[250 + 249] = 2;
    values[500 + 3] = 4;
    values[500 + 200] = 4;
    const sampler = new Sampler(engineFor(gpu));
    expect(await sampler.sample(tensor(gpu, values, [3, 250]))).toEqual([7, 249, 3]);
  });

  it('top-p samples the nucleus in proportion to its renormalised probabilities', async () => {
    const draws = 4000;
    const sampler = new Sampler(engineFor(gpu), { temperature: 1, topP: 0.75, seed: 11 });
    const ids = await sampler.sample(logitRows([0.5, 0.3, 0.15, 0.05], draws));
    const observed = frequencies(ids, 4);
    // The smallest set holding 0.75 is {0.5, 0.3}: renormalised 0.625 and 0.375; the tail never comes.
    expect(observed[0]).toBeCloseTo(0.625, 1);
    expect(observed[1]).toBeCloseTo(0.375, 1);
    expect(observed[2]! + observed[3]!).toBe(0);
    expect(Math.abs(observed[0]! - 0.625)).toBeLessThan(4 * Math.sqrt((0.625 * 0.375) / draws));
  });

  it('temperature sharpens and flattens the distribution; top-p 1 keeps every token', async () => {
    const draws = 4000;
    const probabilities = [0.5, 0.3, 0.15, 0.05];
    const flat = new Sampler(engineFor(gpu), { temperature: 2, topP: 1, seed: 5 });
    const observed = frequencies(await flat.sample(logitRows(probabilities, draws)), 4);
    const tempered = probabilities.map((p) => Math.sqrt(p));
    const total = tempered.reduce((sum, p) => sum + p, 0);
    observed.forEach((frequency, index) => {
      const expected = tempered[index]! / total;
      expect(Math.abs(frequency - expected)).toBeLessThan(
        4 * Math.sqrt((expected * (1 - expected)) / draws),
      );
    });
  });

  it('refuses a negative temperature and a top-p outside (0, 1]', () => {
    const engine = engineFor(gpu);
    expect(() => new Sampler(engine, { temperature: -1 })).toThrow('temperature must be 0 or more');
    expect(() => new Sampler(engine, { topP: 0 })).toThrow('top-p must be in (0, 1]');
    expect(() => new Sampler(engine, { topP: 1.5 })).toThrow('top-p must be in (0, 1]');
  });
});

describe('generate', () => {
  it('greedy continuations follow the reference argmax, for a ragged batch with a stop token', async () => {
    const directory = join(await temporaryFolder(), 'model');
    const config = await writeFixtureCheckpoint(directory, FIXTURE_VARIANTS[0]!.options);
    const weights = await loadReferenceWeights(directory);
    const prompts = [
      fixtureTokens(config.vocab_size, 5, 1),
      fixtureTokens(config.vocab_size, 2, 2),
    ];
    const greedy = (prompt: number[], steps: number) => {
      const ids = [...prompt];
      for (let step = 0; step < steps; step++) {
        const logits = referenceLogits(config, weights, ids).at(-1)!;
        ids.push(logits.indexOf(Math.max(...logits)));
      }
      return ids.slice(prompt.length);
    };
    const expected = prompts.map((prompt) => greedy(prompt, 6));
    const model = await LlamaModel.open(gpu, directory);
    try {
      const { tokens, stepSeconds } = await generate(model, prompts, { maxNewTokens: 6 });
      expect(tokens).toEqual(expected);
      expect(stepSeconds).toHaveLength(5);
      const stop = expected[0]![2]!;
      const stopped = await generate(model, prompts, { maxNewTokens: 6, stopTokenIds: [stop] });
      const firstStop = (ids: number[]) =>
        ids.includes(stop) ? ids.slice(0, ids.indexOf(stop) + 1) : ids;
      expect(stopped.tokens).toEqual(expected.map(firstStop));
      expect((await generate(model, prompts, { maxNewTokens: 0 })).tokens).toEqual([[], []]);
    } finally {
      model.dispose();
    }
  });
});
