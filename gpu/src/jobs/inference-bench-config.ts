import { z } from 'zod';
import { SPLIT_STRATEGIES } from '../factor/factorise.ts';
import { WEIGHT_PRECISION_HELP, WEIGHT_PRECISIONS } from '../inference/weight-precision.ts';

export { WEIGHT_PRECISION_HELP, WEIGHT_PRECISIONS };

const length = z.int().min(1).max(4096);

/**
 * The inference-bench job's config: the one validation of `lab bench --model`, a queued
 * inference-bench run and the device kit's inference program. Its descriptions are their help.
 * A module of its own (zod only) so that a command line can build its flags without loading the
 * engine.
 */
export const inferenceBenchConfigSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .describe('checkpoint folder (Hugging Face layout) to benchmark, on the machine running it'),
    experts: z
      .int()
      .min(1)
      .max(32)
      .optional()
      .describe('also run it factorised into n experts per FFN'),
    topK: z.int().min(1).optional().describe('experts each token runs'),
    split: z.enum(SPLIT_STRATEGIES).default('sequential').describe('how FFNs are cut into experts'),
    seed: z.int().default(0).describe('seed of the split, the router and the prompts'),
    promptLen: length.default(128).describe('prompt tokens per sequence'),
    genLen: z.int().min(2).max(4096).default(64).describe('generated tokens per sequence'),
    batch: z.int().min(1).max(64).default(1).describe('sequences decoded together'),
    repeats: z.int().min(1).max(20).default(3).describe('timed generations (figures are medians)'),
    weights: z.enum(WEIGHT_PRECISIONS).default('auto').describe(WEIGHT_PRECISION_HELP),
    profile: z
      .boolean()
      .default(false)
      .describe(
        'also time each kernel of a decode step with GPU timestamps and log the table (needs timestamp-query)',
      ),
    kernels: z
      .enum(['cpu', 'gpu'])
      .optional()
      .describe('kernel family: cpu (lavapipe) or gpu; by default the one that suits the adapter'),
  })
  .superRefine((config, context) => {
    if ((config.experts === undefined) !== (config.topK === undefined))
      context.addIssue({
        code: 'custom',
        path: [config.experts === undefined ? 'experts' : 'topK'],
        message: 'experts and topK go together: give both, or neither for the dense model',
      });
    if (config.experts !== undefined && config.topK !== undefined && config.topK > config.experts)
      context.addIssue({ code: 'custom', path: ['topK'], message: 'must be at most experts' });
  });

export type InferenceBenchConfig = z.output<typeof inferenceBenchConfigSchema>;
