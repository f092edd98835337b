import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTrainingBenchmark, trainingFlopsPerToken } from '../../src/bench/training-benchmark.ts';
import { acquireGpu, parseModelConfig, type Gpu } from '../../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await acquireGpu();
});

const torchInstalled = ['python3', '/usr/bin/python3'].some(
  (python) => spawnSync(python, ['-c', 'import numpy, torch'], { timeout: 60_000 }).status === 0,
);

const CONFIG = parseModelConfig(
  {
    vocab_size: 101,
    hidden_size: 48,
    intermediate_size: 100,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 64,
    tie_word_embeddings: true,
  },
  'test config',
);

describe('training benchmark', () => {
  it('counts model FLOPs per token by hand', () => {
    // Per layer: q and o 48x48 each, k and v 48x24 each, three FFN matrices 48x100; the head 101x48.
    const weights = 2 * (2 * 48 * 48 + 2 * 48 * 24 + 3 * 48 * 100) + 101 * 48;
    // Scores and weighted values, 2 x 2 x T x 48 a layer forward, three times for training.
    const attention = 3 * 2 * (2 * 2 * 16 * 48);
    expect(trainingFlopsPerToken(CONFIG, 16)).toBe(6 * weights + attention);
  });

  it.skipIf(!torchInstalled)(
    'times forward, backward and optimizer, the matmul rate and the PyTorch peer',
    async () => {
      const result = await runTrainingBenchmark(gpu, {
        config: CONFIG,
        batchSize: 2,
        sequenceLength: 16,
        steps: 2,
        peer: true,
      });
      for (const figure of [
        result.forwardMs,
        result.backwardMs,
        result.optimizerMs,
        result.stepMs,
        result.tokensPerS,
        result.modelGflops,
        result.matmulGflops,
      ])
        expect(figure).toBeGreaterThan(0);
      expect(result.pairs).toHaveLength(2);
      for (const pair of result.pairs) {
        expect(pair.modelGflops).toBeCloseTo(
          (trainingFlopsPerToken(CONFIG, 16) * 32) / (pair.stepMs / 1e3) / 1e9,
        );
        expect(pair.efficiency).toBeCloseTo(pair.modelGflops / pair.matmulGflops);
      }
      const [first, second] = result.pairs;
      const mean = (x: number, y: number) => (x + y) / 2;
      expect(result.efficiency).toBeCloseTo(mean(first!.efficiency, second!.efficiency));
      expect(result.matmulGflops).toBeCloseTo(mean(first!.matmulGflops, second!.matmulGflops));
      expect(result.stepMs).toBeCloseTo(mean(first!.stepMs, second!.stepMs));
      expect(result.tokensPerS).toBeCloseTo((32 / result.stepMs) * 1e3);
      expect(result.parameters).toBe(
        101 * 48 + 2 * (2 * 48 + 2 * 48 * 48 + 2 * 48 * 24 + 3 * 48 * 100) + 48,
      );
      expect(result.peer).toMatchObject({ tokensPerS: expect.any(Number) });
    },
    120_000,
  );

  it('profiles one more step: every kernel once per use, its time on the GPU', async () => {
    const result = await runTrainingBenchmark(gpu, {
      config: CONFIG,
      batchSize: 2,
      sequenceLength: 16,
      steps: 1,
      profile: true,
    });
    const profile = result.profile!;
    expect(profile.steps).toBe(1);
    const kernel = (prefix: string) =>
      profile.kernels.find(({ kernel }) => kernel.startsWith(prefix));
    // One AdamW update per parameter tensor: embedding, final norm, and 9 tensors a layer (tied head).
    expect(kernel('adamw')?.callsPerStep).toBe(1 + 1 + 2 * 9);
    expect(kernel('crossEntropy (')?.callsPerStep).toBe(1);
    expect(profile.kernels.reduce((sum, { msPerStep }) => sum + msPerStep, 0)).toBeCloseTo(
      profile.gpuMsPerStep,
    );
    expect(profile.kernels.every(({ msPerStep }) => msPerStep >= 0)).toBe(true);
    expect(profile.gpuMsPerStep).toBeGreaterThan(0);
  });
});
