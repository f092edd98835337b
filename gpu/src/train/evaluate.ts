import { noGrad } from '../ops/grad-mode.ts';
import { tokenCrossEntropy } from '../ops/index.ts';
import { tensor } from '../tensor/create.ts';
import type { SplitTokens } from './data/batch-options.ts';
import { evaluationBatches } from './data/evaluation-batches.ts';
import type { TrainableLlama } from './trainable-llama.ts';

export interface HeldOutOptions {
  split: string;
  sequenceLength: number;
  batchSize: number;
  /** Score only the first this many batches; 0 or undefined scores the whole split. */
  maxBatches?: number;
}

export interface HeldOutLoss {
  /** Mean next-token cross-entropy in nats over the scored tokens. */
  loss: number;
  /** Targets scored (each token of the split after the first, once). */
  tokens: number;
}

/** The model's mean next-token loss over a split, each target scored once (see evaluationBatches). */
export async function heldOutLoss(
  model: TrainableLlama,
  splits: SplitTokens,
  { split, sequenceLength, batchSize, maxBatches }: HeldOutOptions,
): Promise<HeldOutLoss> {
  const gpu = model.parameters.get('model.embed_tokens.weight').engine.gpu;
  let total = 0;
  let tokens = 0;
  let scored = 0;
  for (const batch of evaluationBatches(splits, { split, sequenceLength, batchSize })) {
    if (maxBatches && scored++ >= maxBatches) break;
    const ids = tensor(gpu, batch.inputs, [batch.inputs.length]);
    const targets = tensor(gpu, batch.targets, [batch.targets.length]);
    const losses = noGrad(() => {
      const { output: logits, activations } = model.logits({
        ids,
        batch: batch.rows,
        positions: sequenceLength,
      });
      const perToken = tokenCrossEntropy(logits, targets);
      activations.dispose();
      return perToken;
    });
    const values = await losses.read();
    for (const tensorOf of [ids, targets, losses]) tensorOf.dispose();
    values.forEach((loss, index) => {
      if (!batch.mask[index]) return;
      total += loss;
      tokens++;
    });
  }
  return { loss: total / tokens, tokens };
}
