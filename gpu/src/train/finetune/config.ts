import { z } from 'zod';
import { DEFAULT_DATA_DIRECTORY } from '../data/prepare.ts';

const count = z.int().positive();
const weight = z.number().min(0).max(1000);

/** Parameter groups a stage can train (everything else stays frozen). */
export const PARAMETER_GROUPS = [
  'routers',
  'experts',
  'sharedExperts',
  'attention',
  'norms',
  'embeddings',
] as const;
export type ParameterGroup = (typeof PARAMETER_GROUPS)[number];

const stageSchema = (defaultGroups: ParameterGroup[]) =>
  z.strictObject({
    /** Optimizer steps in this stage; 0 skips it. */
    steps: z.int().nonnegative().max(10_000_000),
    learningRate: z.number().positive().max(1),
    warmupSteps: z.int().nonnegative().default(0),
    /** What trains in this stage. */
    train: z.array(z.enum(PARAMETER_GROUPS)).min(1).default(defaultGroups),
  });

export const finetuneConfigSchema = z
  .strictObject({
    /** The dense model (a Hugging Face folder): the PA prior's and distillation's teacher. */
    teacher: z.string().min(1),
    /** The factorised model to train (a folder `lab factorize` wrote). */
    student: z.string().min(1),
    /** Folder for checkpoints, history and the finished student (resumable from checkpoints). */
    output: z.string().min(1),
    /** Where the finished student is written (default <output>/model). */
    modelDirectory: z.string().min(1).optional(),
    /** Seeds the order of batches; an unsigned 32-bit integer. */
    seed: z.int().min(0).max(0xffffffff).default(0),
    data: z
      .strictObject({
        corpus: z.literal('brown').default('brown'),
        /** Where token caches are kept (tokenised with the teacher's tokenizer). */
        directory: z.string().min(1).default(DEFAULT_DATA_DIRECTORY),
      })
      .default({ corpus: 'brown', directory: DEFAULT_DATA_DIRECTORY }),
    training: z
      .strictObject({
        batchSize: count.max(4096).default(8),
        sequenceLength: count.max(32_768).default(128),
        gradientAccumulation: count.max(1024).default(1),
        /** Where each stage's cosine decay ends, as a fraction of its learning rate. */
        minLearningRateFraction: z.number().min(0).max(1).default(0.1),
        weightDecay: z.number().min(0).max(1).default(0),
        betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.95]),
        eps: z.number().positive().max(1).default(1e-8),
        clipNorm: z.number().positive().nullable().default(1),
      })
      .default({
        batchSize: 8,
        sequenceLength: 128,
        gradientAccumulation: 1,
        minLearningRateFraction: 0.1,
        weightDecay: 0,
        betas: [0.9, 0.95],
        eps: 1e-8,
        clipNorm: 1,
      }),
    /** FactorLLM's two stages: routers alone, then routers and experts together. */
    stages: z.strictObject({
      router: stageSchema(['routers']),
      joint: stageSchema(['routers', 'experts', 'sharedExperts']),
    }),
    /** Weights of the loss terms (FactorLLM's defaults: 0.05 PA, 0.01 balance). */
    loss: z
      .strictObject({
        ce: weight.default(1),
        pa: weight.default(0.05),
        balance: weight.default(0.01),
        distill: weight.default(1),
        temperature: z.number().positive().max(100).default(2),
        /**
         * Per-layer FFN distillation: the mean squared error of the student's mixture of experts
         * against the teacher's FFN, both on the teacher's FFN input, over the mean square of the
         * FFN's output (0: off, no extra work).
         */
        ffnDistill: weight.default(0),
      })
      .default({ ce: 1, pa: 0.05, balance: 0.01, distill: 1, temperature: 2, ffnDistill: 0 }),
    evaluation: z
      .strictObject({
        /** Validation loss every this many steps, and at the end. */
        every: count.default(50),
        /** Validation batches scored each time; 0 scores the whole split. */
        batches: z.int().nonnegative().default(10),
        batchSize: count.max(4096).optional(),
      })
      .default({ every: 50, batches: 10 }),
    checkpoint: z
      .strictObject({ every: count.default(50), keep: count.max(1000).default(2) })
      .default({ every: 50, keep: 2 }),
  })
  .superRefine(({ stages }, context) => {
    for (const name of ['router', 'joint'] as const) {
      const stage = stages[name];
      if (stage.warmupSteps > stage.steps)
        context.addIssue({
          code: 'custom',
          path: ['stages', name, 'warmupSteps'],
          message: `must be at most stages.${name}.steps (${stage.steps})`,
        });
    }
    if (stages.router.steps + stages.joint.steps === 0)
      context.addIssue({
        code: 'custom',
        path: ['stages'],
        message: 'stages.router.steps and stages.joint.steps are both 0: nothing would train',
      });
  });

export type FinetuneConfig = z.output<typeof finetuneConfigSchema>;
export type FinetuneStageName = keyof FinetuneConfig['stages'];
