import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  runTorchTrainingPeer,
  type TrainingPeerPlan,
} from '../../src/bench/torch-training-peer.ts';
import { acquireGpu, seededRandom, type Gpu } from '../../src/index.ts';
import { ModelOptimizer } from '../../src/train/optimizer.ts';
import { learningRateAt } from '../../src/train/schedule.ts';
import type { TrainingBatch } from '../../src/train/data/batch-loader.ts';
import { trainingStep } from '../../src/train/train-step.ts';
import { TrainableLlama } from '../../src/train/trainable-llama.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { writeFixtureCheckpoint } from '../reference/fixtures.ts';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;

beforeAll(async () => {
  gpu = await acquireGpu();
});

const torchInstalled = ['python3', '/usr/bin/python3'].some(
  (python) => spawnSync(python, ['-c', 'import numpy, torch'], { timeout: 60_000 }).status === 0,
);

const STEPS = 20;
const SEQUENCES = 2;
const POSITIONS = 13;
const MICRO_BATCHES = 2;
// f32 on both sides in different summation orders: measured on lavapipe against OpenBLAS, losses
// and gradient norms differ by at most 2.2e-7 relative over the 20 steps. The issue asks for 1e-3;
// 1e-5 keeps a 50x margin and catches what 1e-3 would not (a misplaced eps or decay).
const LOSS_TOLERANCE = 1e-5;

/** Random next-token batches over the fixture's vocabulary, seeded. */
function batches(vocabulary: number): TrainingBatch[][] {
  const random = seededRandom(17);
  return Array.from({ length: STEPS }, () =>
    Array.from({ length: MICRO_BATCHES }, () => {
      const tokens = Int32Array.from({ length: SEQUENCES * (POSITIONS + 1) }, () =>
        Math.floor(random() * vocabulary),
      );
      const rows = Array.from({ length: SEQUENCES }, (_, row) =>
        tokens.subarray(row * (POSITIONS + 1), (row + 1) * (POSITIONS + 1)),
      );
      return {
        inputs: Int32Array.from(rows.flatMap((row) => [...row.subarray(0, -1)])),
        targets: Int32Array.from(rows.flatMap((row) => [...row.subarray(1)])),
        batchSize: SEQUENCES,
        sequenceLength: POSITIONS,
      };
    }),
  );
}

describe('training against the PyTorch peer', () => {
  it.skipIf(!torchInstalled)(
    '20 steps of AdamW with warm-up, clipping and accumulation give the same loss curve',
    async () => {
      const directory = join(await temporaryFolder(), 'model');
      const config = await writeFixtureCheckpoint(directory, {
        heads: 4,
        kvHeads: 2,
        attentionBias: true,
        ropeTheta: 500,
      });
      const settings = { betas: [0.9, 0.95] as const, eps: 1e-8, weightDecay: 0.1, clipNorm: 1 };
      const schedule = { learningRate: 3e-3, warmupSteps: 4, totalSteps: STEPS };
      const steps = batches(config.vocab_size).map((microBatches, index) => ({
        learningRate: learningRateAt(index + 1, schedule),
        microBatches,
      }));

      const model = await TrainableLlama.open(gpu, directory);
      const optimizer = new ModelOptimizer(model.parameters, {
        ...settings,
        learningRate: schedule.learningRate,
      });
      const losses: number[] = [];
      const norms: number[] = [];
      try {
        for (const step of steps) {
          const result = await trainingStep(model, optimizer, step.microBatches, {
            learningRate: step.learningRate,
            clipNorm: settings.clipNorm,
          });
          losses.push(result.loss);
          norms.push(result.gradNorm);
        }
      } finally {
        optimizer.dispose();
        model.dispose();
      }

      const plan: TrainingPeerPlan = { batch: SEQUENCES, positions: POSITIONS, ...settings, steps };
      const peer = await runTorchTrainingPeer(directory, plan);
      if ('skipped' in peer) throw new Error(peer.skipped);
      expect(peer.losses).toHaveLength(STEPS);
      // The run must have learned something, or equal curves would prove little.
      expect(losses.at(-1)!).toBeLessThan(losses[0]! - 0.1);
      losses.forEach((loss, step) => {
        expect(
          Math.abs(loss - peer.losses[step]!) / peer.losses[step]!,
          `step ${step + 1}`,
        ).toBeLessThan(LOSS_TOLERANCE);
        expect(Math.abs(norms[step]! - peer.gradNorms[step]!) / peer.gradNorms[step]!).toBeLessThan(
          LOSS_TOLERANCE,
        );
      });
    },
    120_000,
  );
});
