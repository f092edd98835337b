import { z } from 'zod';
import { GATINGS, MOE_SPLITS, ROUTER_TYPES } from '../factor/moe-config.ts';

/**
 * The factorize job's config: a dense checkpoint cut into a mixture of experts, saved as a
 * checkpoint folder. Flat, so that `lab factorize` derives one flag per field; its descriptions
 * are their help. What needs the model (the width N must divide, the model itself) is checked
 * when the job starts, before any work.
 */
export const factorizeConfigSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .describe('dense checkpoint folder (Hugging Face layout) to cut into experts'),
    output: z
      .string()
      .min(1)
      .describe(
        'folder the mixture-of-experts checkpoint is written to (replaced if it holds one)',
      ),
    experts: z.int().min(1).max(32).describe('experts N per FFN'),
    topK: z.int().min(1).describe('experts k each token runs'),
    split: z.enum(MOE_SPLITS).default('sequential').describe('how neurons are cut into experts'),
    router: z
      .enum(ROUTER_TYPES)
      .default('linear')
      .describe(
        'linear: Linear(d, N) (FactorLLM); mlp: Linear(d, E) -> tanh -> Linear(E, N) (MoEfication)',
      ),
    routerHidden: z
      .int()
      .min(1)
      .max(65_536)
      .optional()
      .describe('the mlp router hidden width E (default 128; mlp router only)'),
    gating: z
      .enum(GATINGS)
      .default('factorllm')
      .describe(
        'factorllm: chosen experts summed times N / k; softmax: router probabilities renormalised over the chosen experts',
      ),
    sharedExpertSize: z
      .int()
      .min(0)
      .default(0)
      .describe(
        'neurons of an always-on shared expert, the most often active on calibration tokens (0: none)',
      ),
    unevenExperts: z
      .boolean()
      .default(false)
      .describe(
        'allow experts whose widths differ by one neuron when N does not divide the routed width',
      ),
    seed: z
      .int()
      .min(0)
      .max(0xffffffff)
      .default(0)
      .describe('seed of the split, the routers and the calibration order'),
    calibrationTokens: z
      .int()
      .min(1)
      .max(1_048_576)
      .default(8192)
      .describe(
        'Brown train-split tokens the dense model runs to find co-active neurons (coactivation split, shared expert)',
      ),
    calibrationLength: z
      .int()
      .min(2)
      .max(32_768)
      .default(256)
      .describe('tokens per calibration sequence'),
    activeShare: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.1)
      .describe("share of a token's neurons counted active: those of largest |silu(gate) * up|"),
  })
  .superRefine((config, context) => {
    const issue = (path: string, message: string) =>
      context.addIssue({ code: 'custom', path: [path], message });
    if (config.topK > config.experts) issue('topK', `must be at most experts (${config.experts})`);
    if (config.routerHidden !== undefined && config.router !== 'mlp')
      issue('routerHidden', 'only an mlp router has a hidden layer (set router to mlp)');
  });

export type FactorizeConfig = z.output<typeof factorizeConfigSchema>;

/** The mlp router's hidden width when the config names none. */
export const DEFAULT_ROUTER_HIDDEN = 128;
