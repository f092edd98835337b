import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  parsePeerOutput,
  runPeerScript,
  type PythonOptions,
  type TorchPeerSkipped,
} from './torch-peer.ts';

const SCRIPT = fileURLToPath(new URL('torch_llama_train_peer.py', import.meta.url));

/** What the peer trains: the same settings and batches, in the same order, as the lab's trainer. */
export interface TrainingPeerPlan {
  batch: number;
  positions: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  clipNorm: number | null;
  steps: {
    learningRate: number;
    microBatches: { inputs: ArrayLike<number>; targets: ArrayLike<number> }[];
  }[];
  /** Leaves the first step out of `seconds`, as a warm-up. */
  timed?: boolean;
}

const resultSchema = z.object({
  peer: z.literal('pytorch-eager'),
  torch: z.string(),
  threads: z.int().positive(),
  blas: z.string().nullable(),
  losses: z.array(z.number()),
  gradNorms: z.array(z.number()),
  seconds: z.number().nonnegative(),
});

export type TrainingPeerResult = z.output<typeof resultSchema>;

/**
 * Trains the checkpoint folder `model` with PyTorch eager on the CPU as `plan` says and returns
 * every step's loss and gradient norm. Skipped (not failed) when no Python with torch is installed.
 */
export async function runTorchTrainingPeer(
  model: string,
  plan: TrainingPeerPlan,
  options: PythonOptions = {},
): Promise<TrainingPeerResult | TorchPeerSkipped> {
  const folder = await mkdtemp(join(tmpdir(), 'factorlab-train-peer-'));
  try {
    const planPath = join(folder, 'plan.json');
    await writeFile(
      planPath,
      JSON.stringify({
        ...plan,
        steps: plan.steps.map((step) => ({
          learningRate: step.learningRate,
          microBatches: step.microBatches.map(({ inputs, targets }) => ({
            inputs: Array.from(inputs),
            targets: Array.from(targets),
          })),
        })),
      }),
    );
    const run = await runPeerScript(options, ['--model', model, '--plan', planPath], SCRIPT);
    return 'skipped' in run ? run : parsePeerOutput(resultSchema, run.stdout);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
