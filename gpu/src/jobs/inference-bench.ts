import { compareWithDense, measureCheckpoint } from '../eval/inference-benchmark.ts';
import { feedForwardShare } from '../eval/speed.ts';
import { achievedGbS, decodeTraffic } from '../eval/decode-traffic.ts';
import { measureHostReadBandwidth } from '../eval/read-bandwidth.ts';
import {
  DECODE_PROFILE_METRICS as PROFILE,
  DECODE_TRAFFIC_METRICS as TRAFFIC,
  WEIGHT_ROUNDING_METRICS as ROUNDING,
} from '../train/metric-keys.ts';
import { measureRoundingError } from '../eval/weight-rounding.ts';
import type { ModelConfig } from '../model/config.ts';
import { factorisationSchema } from '../factor/factorise.ts';
import type { LoadOptions } from '../inference/llama-model.ts';
import type { Gpu } from '../runtime/device.ts';
import { inferenceBenchConfigSchema, type InferenceBenchConfig } from './inference-bench-config.ts';
import { acquireJobGpu } from './job-gpu.ts';
import type { JobDefinition, Reporter } from './job.ts';
import { formatDecodeProfile, type DecodeProfile } from '../eval/decode-profile.ts';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { readMoeConfig, type MoeConfig } from '../factor/moe-config.ts';
import { CONFIG_FILE } from '../model/checkpoint.ts';
import { readModelConfig } from '../model/config.ts';

/**
 * The stored mixture of experts `config.model` is, if it is one, with the share of FFN neurons a
 * token runs; refused (naming the field) with experts and topK, or when its dense source, the
 * baseline it is measured against, is not on this machine.
 */
async function storedMixture(
  config: InferenceBenchConfig,
): Promise<{ moe: MoeConfig; activeShare: number } | undefined> {
  const file = join(config.model, CONFIG_FILE);
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  if (!exists) return undefined;
  const modelConfig = await readModelConfig(file);
  const moe = readMoeConfig(modelConfig, file);
  if (!moe) return undefined;
  if (config.experts !== undefined)
    throw new Error(
      `config.experts: ${config.model} is already a mixture of ${moe.num_experts} experts (top ${moe.top_k}); leave out experts and topK`,
    );
  const sourceExists = await stat(join(moe.source_model, CONFIG_FILE)).then(
    () => true,
    () => false,
  );
  if (!sourceExists)
    throw new Error(
      `config.model: the dense model ${config.model} was cut from (factorlab_moe.source_model ${moe.source_model}), its speed baseline, is not on this machine`,
    );
  const f = modelConfig.intermediate_size;
  const shared = moe.shared_expert_size;
  return { moe, activeShare: (shared + ((f - shared) * moe.top_k) / moe.num_experts) / f };
}

export { inferenceBenchConfigSchema, type InferenceBenchConfig };

/** Positions whose logits state the error of weights `f16`. */
const ROUNDING_POSITIONS = 64;

interface TrafficInput {
  config: InferenceBenchConfig;
  modelConfig: ModelConfig;
  matrixElementBytes: number;
  denseDecodeTokS: number;
  /** Factorised: its decode speed, router size and the share of FFN neurons a token runs. */
  factorised?: { decodeTokS: number; experts: number; activeShare: number };
  /** The host's read bandwidth, where the adapter computes on the CPU. */
  host?: { limitGbS: number; oneThreadGbS: number };
}

/** The decode traffic figures of DECODE_TRAFFIC_METRICS for a measured dense (and factorised) run. */
function trafficSummary(input: TrafficInput): Record<string, number> {
  const { config, modelConfig } = input;
  const shape = {
    matrixElementBytes: input.matrixElementBytes,
    batch: config.batch,
    promptLength: config.promptLen,
    generateLength: config.genLen,
  };
  const dense = decodeTraffic(modelConfig, shape).stepBytes;
  const denseGbS = achievedGbS(dense, input.denseDecodeTokS, config.batch);
  const { factorised, host } = input;
  const bytes = factorised
    ? decodeTraffic(modelConfig, {
        ...shape,
        experts: { count: factorised.experts, activeShare: factorised.activeShare },
      }).stepBytes
    : dense;
  const gbS = factorised ? achievedGbS(bytes, factorised.decodeTokS, config.batch) : denseGbS;
  const summary: Record<string, number> = {
    [TRAFFIC.stepBytes]: bytes,
    [TRAFFIC.denseStepBytes]: dense,
    [TRAFFIC.decodeGbS]: gbS,
    [TRAFFIC.denseDecodeGbS]: denseGbS,
  };
  if (host) {
    const limit = (stepBytes: number) => ((host.limitGbS * 1e9) / stepBytes) * config.batch;
    Object.assign(summary, {
      [TRAFFIC.readGbS]: host.limitGbS,
      [TRAFFIC.readGbSOneThread]: host.oneThreadGbS,
      [TRAFFIC.bandwidthShare]: gbS / host.limitGbS,
      [TRAFFIC.denseBandwidthShare]: denseGbS / host.limitGbS,
      [TRAFFIC.decodeLimitTokS]: limit(bytes),
      [TRAFFIC.denseDecodeLimitTokS]: limit(dense),
    });
  }
  return summary;
}

function measure(gpu: Gpu, load: LoadOptions, config: InferenceBenchConfig) {
  return measureCheckpoint(gpu, config.model, load, {
    promptLength: config.promptLen,
    generateLength: config.genLen,
    batch: config.batch,
    repeats: config.repeats,
    seed: config.seed + 1,
    profile: config.profile,
  });
}

/** Logs a measured configuration's decode profile and returns its GPU time per step, if profiled. */
function logProfile(
  reporter: Reporter,
  title: string,
  profile: DecodeProfile | undefined,
): number | undefined {
  if (!profile) return undefined;
  for (const line of formatDecodeProfile(title, profile)) reporter.log(line);
  return profile.gpuMsPerStep;
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
    const stored = await storedMixture(config);
    const gpu = await acquireJobGpu(reporter);
    const base = { weights: config.weights, kernelTarget: config.kernels } as const;
    const denseModel = stored?.moe.source_model ?? config.model;
    reporter.progress(
      0.05,
      `dense model${stored ? ` ${denseModel}` : ''}: prompt ${config.promptLen}, generate ${config.genLen}, batch ${config.batch}`,
    );
    const {
      figures: dense,
      config: modelConfig,
      matrixElementBytes,
    } = await measure(gpu, base, {
      ...config,
      model: denseModel,
    });
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
    const denseGpuMs = logProfile(reporter, 'dense decode', dense.profile);
    if (denseGpuMs !== undefined)
      Object.assign(summary, { [PROFILE.denseGpuMs]: denseGpuMs, [PROFILE.gpuMs]: denseGpuMs });
    if (config.weights === 'f16' && !reporter.shouldStop()) {
      reporter.progress(0.45, 'logits with f16 matrices against f32 (the error of --weights f16)');
      const error = await measureRoundingError(gpu, denseModel, base, {
        positions: Math.min(ROUNDING_POSITIONS, modelConfig.max_position_embeddings),
        seed: config.seed + 2,
      });
      Object.assign(summary, {
        [ROUNDING.maxAbs]: error.maxAbs,
        [ROUNDING.relativeRms]: error.relativeRms,
        [ROUNDING.top1Agreement]: error.top1Agreement,
      });
    }
    const factorised = stored
      ? {
          load: base,
          experts: stored.moe.num_experts,
          topK: stored.moe.top_k,
          split: stored.moe.split,
          // A shared expert always runs: the bound counts the share of neurons each token runs.
          boundTopK: stored.activeShare * stored.moe.num_experts,
          activeShare: stored.activeShare,
          stage: `stored mixture of experts: ${stored.moe.num_experts} experts, top-${stored.moe.top_k}, ${stored.moe.split} split`,
        }
      : config.experts !== undefined && config.topK !== undefined
        ? {
            load: {
              ...base,
              factorisation: factorisationSchema.parse({
                experts: config.experts,
                topK: config.topK,
                split: config.split,
                seed: config.seed,
              }),
            },
            experts: config.experts,
            topK: config.topK,
            split: config.split,
            boundTopK: config.topK,
            activeShare: config.topK / config.experts,
            stage: `factorised model: ${config.experts} experts, top-${config.topK}, ${config.split} split`,
          }
        : undefined;
    let figures = dense;
    let bound: number | undefined;
    let measuredFactorised = false;
    if (factorised && !reporter.shouldStop()) {
      measuredFactorised = true;
      reporter.progress(0.5, factorised.stage);
      ({ figures } = await measure(gpu, factorised.load, config));
      const gpuMs = logProfile(reporter, 'factorised decode', figures.profile);
      if (gpuMs !== undefined) summary[PROFILE.gpuMs] = gpuMs;
      const comparison = compareWithDense(dense, figures, modelConfig, {
        experts: factorised.experts,
        topK: factorised.boundTopK,
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
    let host: TrafficInput['host'];
    if (gpu.info.isCpu && !reporter.shouldStop()) {
      reporter.progress(0.95, 'host read bandwidth (the limit of decoding on the CPU)');
      const measured = await measureHostReadBandwidth();
      host = { limitGbS: measured.limitGbS, oneThreadGbS: measured.oneThread.gbS };
    }
    Object.assign(
      summary,
      trafficSummary({
        config,
        modelConfig,
        matrixElementBytes,
        denseDecodeTokS: dense.decodeTokS,
        ...(factorised &&
          measuredFactorised && {
            factorised: {
              decodeTokS: figures.decodeTokS,
              experts: factorised.experts,
              activeShare: factorised.activeShare,
            },
          }),
        host,
      }),
    );
    reporter.benchmark({
      modelPath: config.model,
      ...(factorised && {
        experts: factorised.experts,
        topK: factorised.topK,
        split: factorised.split,
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
