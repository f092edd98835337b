import { z } from 'zod';
import { compareWithDense, measureCheckpoint } from '../eval/inference-benchmark.ts';
import { factorisationSchema, SPLIT_STRATEGIES } from '../factor/factorise.ts';
import type { LoadOptions } from '../inference/llama-model.ts';
import { feedForwardShare } from '../eval/speed.ts';
import { acquireGpu, type Gpu } from '../runtime/device.ts';
import type { JobDefinition } from './job.ts';

const length = z.int().min(1).max(4096);

export const inferenceBenchConfigSchema = z
  .strictObject({
    /** A checkpoint folder in Hugging Face layout, on the machine that runs the job. */
    model: z.string().min(1),
    /** Factorise every FFN into this many experts (with topK); dense alone without. */
    experts: z.int().min(1).max(32).optional(),
    topK: z.int().min(1).optional(),
    split: z.enum(SPLIT_STRATEGIES).default('sequential'),
    seed: z.int().default(0),
    promptLen: length.default(128),
    genLen: z.int().min(2).max(4096).default(64),
    batch: z.int().min(1).max(64).default(1),
    repeats: z.int().min(1).max(20).default(3),
    weights: z.enum(['auto', 'f32']).default('auto'),
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

function measure(gpu: Gpu, load: LoadOptions, config: InferenceBenchConfig) {
  return measureCheckpoint(gpu, config.model, load, {
    promptLength: config.promptLen,
    generateLength: config.genLen,
    batch: config.batch,
    repeats: config.repeats,
    seed: config.seed + 1,
  });
}

/**
 * Inference speed of a checkpoint, dense and (with experts and topK) factorised with an untrained
 * router, measured in one run: the figures `lab bench --model` prints, recorded as a benchmark row.
 */
export const inferenceBenchJob: JobDefinition<typeof inferenceBenchConfigSchema> = {
  kind: 'inference-bench',
  description:
    'Prefill and decode tokens/s of a checkpoint, dense and factorised into experts, with the ' +
    'speedup and its bound; records a benchmark row.',
  schema: inferenceBenchConfigSchema,
  async run(config, reporter) {
    reporter.progress(0, 'acquiring GPU');
    const gpu = await acquireGpu();
    reporter.device(gpu.info);
    const base = { weights: config.weights } as const;
    reporter.progress(0.05, 'dense model');
    const { figures: dense, config: modelConfig } = await measure(gpu, base, config);
    const summary: Record<string, number> = {
      prefill_tok_s: dense.prefillTokS,
      decode_tok_s: dense.decodeTokS,
      dense_decode_tok_s: dense.decodeTokS,
      decode_ms_p50: dense.decodeStepMsP50,
      decode_ms_p95: dense.decodeStepMsP95,
    };
    let figures = dense;
    let bound: number | undefined;
    if (config.experts !== undefined && config.topK !== undefined && !reporter.shouldStop()) {
      const factorisation = factorisationSchema.parse({
        experts: config.experts,
        topK: config.topK,
        split: config.split,
        seed: config.seed,
      });
      reporter.progress(0.5, `factorised: ${config.experts} experts, top-${config.topK}`);
      ({ figures } = await measure(gpu, { ...base, factorisation }, config));
      const comparison = compareWithDense(dense, figures, modelConfig, {
        experts: config.experts,
        topK: config.topK,
      });
      bound = comparison.bound;
      Object.assign(summary, {
        prefill_tok_s: figures.prefillTokS,
        decode_tok_s: figures.decodeTokS,
        decode_ms_p50: figures.decodeStepMsP50,
        decode_ms_p95: figures.decodeStepMsP95,
        speedup: comparison.speedup,
        bound,
        ffn_share: feedForwardShare(modelConfig),
      });
    }
    reporter.benchmark({
      modelPath: config.model,
      ...(config.experts !== undefined && {
        experts: config.experts,
        topK: config.topK,
        split: config.split,
      }),
      dtype: config.weights,
      batch: config.batch,
      promptLen: config.promptLen,
      genLen: config.genLen,
      prefillTokS: figures.prefillTokS,
      decodeTokS: figures.decodeTokS,
      denseDecodeTokS: dense.decodeTokS,
      decodeLatencyMs: { p50: figures.decodeStepMsP50, p95: figures.decodeStepMsP95 },
      ...(bound !== undefined && { bound }),
    });
    reporter.progress(1, 'done');
    return { summary };
  },
};
