import { z } from 'zod';
import { MAX_VOCAB_SIZE, MIN_VOCAB_SIZE } from './data/bpe-tokenizer.ts';
import { DEFAULT_DATA_DIRECTORY } from './data/prepare.ts';

const count = z.int().positive();

/** The model trained from scratch: a Llama shape; the vocabulary is the tokenizer's. */
const modelShapeSchema = z.strictObject({
  hiddenSize: count.max(8192),
  intermediateSize: count.max(32_768),
  layers: count.max(64),
  heads: count.max(128),
  /** Grouped-query attention's key/value heads (default: one per query head). */
  kvHeads: count.max(128).optional(),
  maxPositions: count.max(32_768).default(512),
  ropeTheta: z.number().positive().default(10_000),
  rmsNormEps: z.number().positive().max(0.1).default(1e-5),
  tieWordEmbeddings: z.boolean().default(true),
});

const trainingSchema = z.strictObject({
  /** Optimizer steps in the whole run. */
  steps: count.max(10_000_000),
  /** Sequences per micro-batch. */
  batchSize: count.max(4096),
  sequenceLength: count.max(32_768),
  /** Micro-batches whose gradients add up to one step. */
  gradientAccumulation: count.max(1024).default(1),
  learningRate: z.number().positive().max(1),
  warmupSteps: z.int().nonnegative().default(0),
  /** Where the cosine decay ends, as a fraction of learningRate. */
  minLearningRateFraction: z.number().min(0).max(1).default(0.1),
  weightDecay: z.number().min(0).max(1).default(0.1),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.95]),
  eps: z.number().positive().max(1).default(1e-8),
  /** Global gradient-norm clipping threshold; null for none. */
  clipNorm: z.number().positive().nullable().default(1),
});

export const pretrainConfigSchema = z
  .strictObject({
    /** Folder for checkpoints and the finished model (created; resumable from its checkpoints). */
    output: z.string().min(1),
    /** Where the finished model is written (default <output>/model). */
    modelDirectory: z.string().min(1).optional(),
    /** Seeds the initial weights and the order of batches; an unsigned 32-bit integer. */
    seed: z.int().min(0).max(0xffffffff).default(0),
    data: z
      .strictObject({
        corpus: z.literal('brown').default('brown'),
        vocabSize: z.int().min(MIN_VOCAB_SIZE).max(MAX_VOCAB_SIZE).default(4096),
        /** Where the tokenizer and token caches are kept. */
        directory: z.string().min(1).default(DEFAULT_DATA_DIRECTORY),
      })
      .default({ corpus: 'brown', vocabSize: 4096, directory: DEFAULT_DATA_DIRECTORY }),
    model: modelShapeSchema,
    training: trainingSchema,
    evaluation: z
      .strictObject({
        /** Held-out loss every this many steps, and at the end. */
        every: count.default(100),
        /** Validation batches scored each time; 0 scores the whole split. */
        batches: z.int().nonnegative().default(0),
        /** Sequences per evaluation batch (default: training.batchSize). */
        batchSize: count.max(4096).optional(),
        /** At the end, score the test split and the unigram and bigram baselines. */
        test: z.boolean().default(true),
      })
      .default({ every: 100, batches: 0, test: true }),
    checkpoint: z
      .strictObject({
        /** A resumable checkpoint every this many steps, and at the end. */
        every: count.default(200),
        /** Checkpoints kept; older ones are deleted once a newer one is complete. */
        keep: count.max(1000).default(2),
      })
      .default({ every: 200, keep: 2 }),
  })
  .superRefine(({ model, training }, context) => {
    const issue = (path: (string | number)[], message: string) =>
      context.addIssue({ code: 'custom', path, message });
    const kvHeads = model.kvHeads ?? model.heads;
    if (model.hiddenSize % model.heads !== 0)
      issue(['model', 'hiddenSize'], `must be a multiple of heads (${model.heads})`);
    else if ((model.hiddenSize / model.heads) % 2 !== 0)
      issue(['model', 'hiddenSize'], 'hiddenSize / heads (the head size) must be even for RoPE');
    if (model.heads % kvHeads !== 0)
      issue(['model', 'kvHeads'], `must divide heads (${model.heads})`);
    if (training.sequenceLength > model.maxPositions)
      issue(
        ['training', 'sequenceLength'],
        `must be at most model.maxPositions (${model.maxPositions})`,
      );
    if (training.warmupSteps > training.steps)
      issue(['training', 'warmupSteps'], `must be at most training.steps (${training.steps})`);
  });

export type PretrainConfig = z.output<typeof pretrainConfigSchema>;
