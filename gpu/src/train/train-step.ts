import { backward } from '../autograd/backward.ts';
import { noGrad } from '../ops/grad-mode.ts';
import { add, scale } from '../ops/index.ts';
import { clipGradNorm } from '../optim/clip-grad-norm.ts';
import { tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { TrainingBatch } from './data/batch-loader.ts';
import type { ModelOptimizer } from './optimizer.ts';
import type { TrainableLlama } from './trainable-llama.ts';

export interface StepSettings {
  learningRate: number;
  /** Global-norm clipping threshold; none when undefined. */
  clipNorm?: number;
}

export interface StepResult {
  /** Mean cross-entropy over the step's micro-batches. */
  loss: number;
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: number;
}

/** No clipping is a threshold no norm reaches (the norm is still computed, for the log). */
const NO_CLIP = 3e38;

/**
 * One optimizer step over `microBatches` (gradients accumulated, each loss weighted 1/n): forward,
 * backward, clipping, AdamW. All of it is encoded before the one readback of loss and norm.
 */
export async function trainingStep(
  model: TrainableLlama,
  optimizer: ModelOptimizer,
  microBatches: readonly TrainingBatch[],
  { learningRate, clipNorm }: StepSettings,
): Promise<StepResult> {
  if (microBatches.length === 0) throw new Error('trainingStep: no micro-batches');
  const gpu = model.parameters.get('model.embed_tokens.weight').engine.gpu;
  const losses: Tensor[] = [];
  for (const micro of microBatches) {
    const ids = tensor(gpu, micro.inputs, [micro.inputs.length]);
    const targets = tensor(gpu, micro.targets, [micro.targets.length]);
    const { output: loss, activations } = model.loss(
      { ids, batch: micro.batchSize, positions: micro.sequenceLength },
      targets,
    );
    const weighted = microBatches.length > 1 ? scale(loss, 1 / microBatches.length) : loss;
    backward(weighted, { keep: [loss] });
    activations.dispose(loss);
    if (weighted !== loss) weighted.dispose();
    ids.dispose();
    targets.dispose();
    losses.push(loss);
  }
  const grads = optimizer.parameters.flatMap((parameter) =>
    parameter.grad ? [parameter.grad] : [],
  );
  const norm = clipGradNorm(grads, clipNorm ?? NO_CLIP);
  optimizer.step(learningRate);
  optimizer.zeroGrad();
  const total = sumOf(losses);
  const mean = (await total.read())[0]! / losses.length;
  const gradNorm = (await norm.read())[0]!;
  total.dispose();
  norm.dispose();
  return { loss: mean, gradNorm };
}

/** The sum of one-element tensors, which it frees, as a new tensor. */
function sumOf(values: Tensor[]): Tensor {
  return noGrad(() =>
    values.reduce((sum, value) => {
      const next = add(sum, value);
      sum.dispose();
      value.dispose();
      return next;
    }),
  );
}
