import { compareWithDense, measureCheckpoint } from '../eval/inference-benchmark.ts';
import { feedForwardShare } from '../eval/speed.ts';
import { factorisationSchema } from '../factor/factorise.ts';
import type { LoadOptions } from '../inference/llama-model.ts';
import type { Gpu } from '../runtime/device.ts';
import { inferenceBenchConfigSchema, type InferenceBenchConfig } from './inference-bench-config.ts';
import { acquireJobGpu } from './job-gpu.ts';
import type { JobDefinition } from './job.ts';

export { inferenceBenchConfigSchema, type InferenceBenchConfig };

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
 * router, measured in one run and recorded as a benchmark row. The one entry to this capability:
 * `lab bench --model`, a queued run and the device kit's inference program all run this job.
 */
export const inferenceBenchJob: JobDefinition<typeof inferenceBenchConfigSchema> = {
  kind: 'inference-bench',
  description:
    'Prefill and decode tokens/s of a checkpoint, dense and factorised into experts, with the ' +
    'speedup and its bound; records a benchmark row.',
  schema: inferenceBenchConfigSchema,
  async run(config, reporter) {
    const gpu = await acquireJobGpu(reporter);
    const base = { weights: config.weights, kernelTarget: config.kernels } as const;
    reporter.progress(
      0.05,
      `dense model: prompt ${config.promptLen}, generate ${config.genLen}, batch ${config.batch}`,
    );
    const { figures: dense, config: modelConfig } = await measure(gpu, base, config);
    const summary: Record<string, number> = {
      prefill_tok_s: dense.prefillTokS,
      decode_tok_s: dense.decodeTokS,
      dense_prefill_tok_s: dense.prefillTokS,
      dense_decode_tok_s: dense.decodeTokS,
      decode_ms_p50: dense.decodeStepMsP50,
      decode_ms_p95: dense.decodeStepMsP95,
      dense_decode_ms_p50: dense.decodeStepMsP50,
      dense_decode_ms_p95: dense.decodeStepMsP95,
      ffn_share: feedForwardShare(modelConfig),
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
      reporter.progress(
        0.5,
        `factorised model: ${config.experts} experts, top-${config.topK}, ${config.split} split`,
      );
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
        prefill_speedup: comparison.prefillSpeedup,
        bound,
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
