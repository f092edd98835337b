import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backward } from '../autograd/backward.ts';
import type { ModelConfig } from '../model/config.ts';
import { batchMatmul } from '../ops/index.ts';
import { clipGradNorm } from '../optim/clip-grad-norm.ts';
import type { Gpu } from '../runtime/device.ts';
import { engineFor } from '../runtime/engine.ts';
import { tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { TrainingBatch } from '../train/data/batch-loader.ts';
import { ModelOptimizer } from '../train/optimizer.ts';
import { TrainableLlama } from '../train/trainable-llama.ts';
import { trainingStep } from '../train/train-step.ts';
import { seededRandom } from '../util/random.ts';
import { gflops, median, timeTrials } from './statistics.ts';
import { kernelProfile, type KernelProfile } from '../eval/kernel-profile.ts';
import { runTorchTrainingPeer } from './torch-training-peer.ts';

export interface TrainingBenchmarkOptions {
  config: ModelConfig;
  batchSize: number;
  sequenceLength: number;
  /** Timed steps after one warm-up step (default 5). */
  steps?: number;
  /** Also train the same model in PyTorch eager on the same batches. */
  peer?: boolean;
  /** Also time every kernel of one more step on the GPU. */
  profile?: boolean;
  onProgress?: (stage: string) => void;
}

export interface TrainingBenchmarkResult {
  config: { layers: number; hiddenSize: number; intermediateSize: number; vocabulary: number };
  batchSize: number;
  sequenceLength: number;
  parameters: number;
  /**
   * Median over the timed steps of each phase, in steps that await each phase on its own: the
   * phases sum to more than `stepMs`, since a step as the trainer runs it encodes the next
   * kernels while the earlier ones execute.
   */
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
  /** Median of whole steps as the trainer runs them (`trainingStep`: one readback a step). */
  stepMs: number;
  tokensPerS: number;
  /** Model FLOPs per trained token: 6 x matmul weights (head included) + attention's products. */
  flopsPerToken: number;
  /** Model FLOPs per second of the median whole step. */
  modelGflops: number;
  /** Median over the pairs of the best rate of the model's own products (FFN, projections, head). */
  matmulGflops: number;
  /**
   * Median over the pairs of each whole step's model GFLOP/s over the matmul rate measured right
   * after it: the machine's speed drifts within minutes, so a step is set against products timed
   * beside it rather than minutes apart.
   */
  efficiency: number;
  /** Each timed whole step and the matmul rate measured right after it. */
  pairs: EfficiencyPair[];
  peer?: { tokensPerS: number; blas: string | null; threads: number } | { skipped: string };
  /** With `profile`: the GPU time of each kernel in one step. */
  profile?: KernelProfile;
}

export interface EfficiencyPair {
  stepMs: number;
  modelGflops: number;
  matmulGflops: number;
  /** modelGflops / matmulGflops. */
  efficiency: number;
}

/** Training FLOPs per token: every weight matrix used once forward and twice backward. */
export function trainingFlopsPerToken(config: ModelConfig, sequenceLength: number): number {
  const d = config.hidden_size;
  const qWidth = config.num_attention_heads * config.head_dim;
  const kvWidth = config.num_key_value_heads * config.head_dim;
  const perLayer = d * (2 * qWidth + 2 * kvWidth) + 3 * d * config.intermediate_size;
  const weights = config.num_hidden_layers * perLayer + config.vocab_size * d;
  // Scores and weighted values over the whole (masked) square, forward and backward.
  const attention = config.num_hidden_layers * 2 * 2 * sequenceLength * qWidth;
  return 6 * weights + 3 * attention;
}

/** Submits what is encoded and waits until the GPU has done it. */
async function finishWork(gpu: Gpu): Promise<void> {
  await engineFor(gpu).flush();
  await gpu.device.queue.onSubmittedWorkDone();
}

function randomBatch(config: ModelConfig, batchSize: number, sequenceLength: number, seed: number) {
  const random = seededRandom(seed);
  const draw = () =>
    Int32Array.from({ length: batchSize * sequenceLength }, () =>
      Math.floor(random() * config.vocab_size),
    );
  return { batchSize, sequenceLength, inputs: draw(), targets: draw() } satisfies TrainingBatch;
}

/** The model's product shapes [inner, outer] (FFN, projections, head), forward. */
function productShapes(config: ModelConfig): [number, number][] {
  const d = config.hidden_size;
  return [
    [d, config.intermediate_size],
    [config.intermediate_size, d],
    [d, config.num_attention_heads * config.head_dim],
    [d, config.vocab_size],
  ];
}

/** Random operands of the model's products at `rows` rows, and a timer of their best rate. */
class MatmulProbe {
  private readonly operands: { x: Tensor; w: Tensor; flops: number }[];

  constructor(
    private readonly gpu: Gpu,
    config: ModelConfig,
    rows: number,
  ) {
    this.operands = productShapes(config).map(([inner, outer]) => {
      const random = seededRandom(inner * outer);
      const values = (count: number) => Float32Array.from({ length: count }, () => random() - 0.5);
      return {
        x: tensor(gpu, values(rows * inner), [rows, inner]),
        w: tensor(gpu, values(outer * inner), [outer, inner]),
        flops: 3 * 2 * rows * inner * outer,
      };
    });
  }

  /** The best GFLOP/s over the shapes, each the best of `trials` runs of three products. */
  async bestRate(trials: number): Promise<number> {
    let bestRate = 0;
    for (const { x, w, flops } of this.operands) {
      const run = async () => {
        const products: Tensor[] = [];
        for (let repeat = 0; repeat < 3; repeat++)
          products.push(batchMatmul(x, w, { transposeB: true }));
        await finishWork(this.gpu);
        for (const product of products) product.dispose();
      };
      const seconds = Math.min(...(await timeTrials(trials, run)));
      bestRate = Math.max(bestRate, gflops(flops, seconds));
    }
    return bestRate;
  }

  dispose(): void {
    for (const { x, w } of this.operands) {
      x.dispose();
      w.dispose();
    }
  }
}

/**
 * Times training steps of a randomly initialised model of `config` on random tokens: whole steps
 * as the trainer runs them, each set against the best matmul rate of the model's shapes measured
 * right after it, and as a breakdown, steps with forward, backward and optimizer (clipping and AdamW)
 * each awaited on its own; optionally PyTorch eager training the same weights on the same batches.
 */
export async function runTrainingBenchmark(
  gpu: Gpu,
  options: TrainingBenchmarkOptions,
): Promise<TrainingBenchmarkResult> {
  const { config, batchSize, sequenceLength, steps = 5, onProgress = () => undefined } = options;
  const model = TrainableLlama.initialise(gpu, config, 1);
  const optimizer = new ModelOptimizer(model.parameters, {
    learningRate: 1e-4,
    betas: [0.9, 0.95],
    eps: 1e-8,
    weightDecay: 0.1,
  });
  const batches = Array.from({ length: steps + 1 }, (_, index) =>
    randomBatch(config, batchSize, sequenceLength, index + 1),
  );
  const phases = { forward: [] as number[], backward: [] as number[], optimizer: [] as number[] };
  const pairs: EfficiencyPair[] = [];
  const parameters = model.parameters.count;
  const tokens = batchSize * sequenceLength;
  const flopsPerToken = trainingFlopsPerToken(config, sequenceLength);
  const probe = new MatmulProbe(gpu, config, tokens);
  /** One training step on `batch`, each phase awaited and timed on its own. */
  const trainStep = async (batch: TrainingBatch) => {
    const ids = tensor(gpu, batch.inputs, [batch.inputs.length]);
    const targets = tensor(gpu, batch.targets, [batch.targets.length]);
    let started = performance.now();
    const pass = model.loss({ ids, batch: batchSize, positions: sequenceLength }, targets);
    await pass.output.read();
    phases.forward.push(performance.now() - started);

    started = performance.now();
    backward(pass.output);
    await finishWork(gpu);
    phases.backward.push(performance.now() - started);
    pass.activations.dispose();
    pass.output.dispose();

    started = performance.now();
    const grads = optimizer.parameters.flatMap((parameter) =>
      parameter.grad ? [parameter.grad] : [],
    );
    const norm = clipGradNorm(grads, 1);
    optimizer.step(1e-4);
    optimizer.zeroGrad();
    await norm.read();
    phases.optimizer.push(performance.now() - started);
    for (const used of [norm, ids, targets]) used.dispose();
  };
  let profile: KernelProfile | undefined;
  try {
    for (const [index, batch] of batches.entries()) {
      onProgress(index === 0 ? 'warm-up step (compiles every kernel)' : `step ${index}/${steps}`);
      await trainStep(batch);
    }
    onProgress('warm-up of the model’s matmuls');
    await probe.bestRate(1);
    for (const [index, batch] of batches.slice(1).entries()) {
      onProgress(`whole step ${index + 1}/${steps}, as the trainer runs it, then the matmuls`);
      const started = performance.now();
      await trainingStep(model, optimizer, [batch], { learningRate: 1e-4, clipNorm: 1 });
      const stepMs = performance.now() - started;
      const modelGflops = gflops(flopsPerToken * tokens, stepMs / 1e3);
      const matmulGflops = await probe.bestRate(2);
      pairs.push({ stepMs, modelGflops, matmulGflops, efficiency: modelGflops / matmulGflops });
    }
    if (options.profile) {
      onProgress('one more step, every kernel timed on the GPU');
      const { operations } = await engineFor(gpu).profile(() => trainStep(batches.at(-1)!));
      profile = kernelProfile(operations, 1);
    }
  } finally {
    probe.dispose();
    optimizer.dispose();
    model.dispose();
  }
  // The warm-up step compiled the kernels: leave it out.
  const timed = (values: number[]) => median(values.slice(1, steps + 1));
  const [forwardMs, backwardMs, optimizerMs] = [
    timed(phases.forward),
    timed(phases.backward),
    timed(phases.optimizer),
  ];
  const stepMs = median(pairs.map((pair) => pair.stepMs));
  const result: TrainingBenchmarkResult = {
    config: {
      layers: config.num_hidden_layers,
      hiddenSize: config.hidden_size,
      intermediateSize: config.intermediate_size,
      vocabulary: config.vocab_size,
    },
    batchSize,
    sequenceLength,
    parameters,
    forwardMs,
    backwardMs,
    optimizerMs,
    stepMs,
    tokensPerS: (tokens / stepMs) * 1e3,
    flopsPerToken,
    modelGflops: gflops(flopsPerToken * tokens, stepMs / 1e3),
    matmulGflops: median(pairs.map((pair) => pair.matmulGflops)),
    efficiency: median(pairs.map((pair) => pair.efficiency)),
    pairs,
    ...(profile && { profile }),
  };
  if (options.peer) {
    onProgress('training the same model in PyTorch eager');
    result.peer = await peerTraining(gpu, config, batches);
  }
  return result;
}

async function peerTraining(
  gpu: Gpu,
  config: ModelConfig,
  batches: TrainingBatch[],
): Promise<TrainingBenchmarkResult['peer']> {
  const folder = await mkdtemp(join(tmpdir(), 'factorlab-train-bench-'));
  try {
    const model = TrainableLlama.initialise(gpu, config, 1);
    await model.parameters.save(folder, config);
    model.dispose();
    const [first] = batches;
    const peer = await runTorchTrainingPeer(folder, {
      batch: first!.batchSize,
      positions: first!.sequenceLength,
      betas: [0.9, 0.95],
      eps: 1e-8,
      weightDecay: 0.1,
      clipNorm: 1,
      steps: batches.map((batch) => ({ learningRate: 1e-4, microBatches: [batch] })),
      timed: true,
    });
    if ('skipped' in peer) return peer;
    const tokens = (batches.length - 1) * first!.batchSize * first!.sequenceLength;
    return { tokensPerS: tokens / peer.seconds, blas: peer.blas, threads: peer.threads };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
