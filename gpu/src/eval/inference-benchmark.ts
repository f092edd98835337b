import { seededRandom } from '../util/random.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Gpu } from '../runtime/device.ts';
import { generate } from '../inference/generate.ts';
import { LlamaModel, type LoadOptions } from '../inference/llama-model.ts';
import { decodeSpeedup, speedupBound } from './speed.ts';
import { profileDecode, type DecodeProfile } from './decode-profile.ts';

export interface InferenceBenchmarkOptions {
  promptLength: number;
  generateLength: number;
  batch: number;
  /** Timed generations; figures are their medians (default 3). */
  repeats?: number;
  seed?: number;
  /** Also time each kernel of a decode step on the GPU, after the timed generations. */
  profile?: boolean;
}

export interface InferenceFigures {
  prefillTokS: number;
  decodeTokS: number;
  decodeStepMsP50: number;
  decodeStepMsP95: number;
  /** With `profile`: the kernels of a decode step and their GPU time. */
  profile?: DecodeProfile;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

const median = (values: readonly number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );

/**
 * Prefill and decode speed of `model`: `batch` random prompts of `promptLength` tokens, then
 * `generateLength` greedy tokens each (no early stop). One untimed generation first compiles
 * every kernel.
 */
export async function measureInference(
  model: LlamaModel,
  {
    promptLength,
    generateLength,
    batch,
    repeats = 3,
    seed = 1,
    profile,
  }: InferenceBenchmarkOptions,
): Promise<InferenceFigures> {
  if (generateLength < 2) throw new Error('--gen-len must be at least 2 to time decode steps');
  const random = seededRandom(seed);
  const vocabulary = model.config.vocab_size;
  const prompts = Array.from({ length: batch }, () =>
    Array.from({ length: promptLength }, () => Math.floor(random() * vocabulary)),
  );
  await generate(model, prompts, { maxNewTokens: 3 });
  const runs: InferenceFigures[] = [];
  const steps: number[] = [];
  for (let run = 0; run < repeats; run++) {
    const { prefillSeconds, stepSeconds } = await generate(model, prompts, {
      maxNewTokens: generateLength,
    });
    const decodeSeconds = stepSeconds.reduce((sum, seconds) => sum + seconds, 0);
    steps.push(...stepSeconds);
    runs.push({
      prefillTokS: (batch * promptLength) / prefillSeconds,
      decodeTokS: (batch * stepSeconds.length) / decodeSeconds,
      decodeStepMsP50: 0,
      decodeStepMsP95: 0,
    });
  }
  const sortedSteps = steps.sort((a, b) => a - b);
  return {
    prefillTokS: median(runs.map((figures) => figures.prefillTokS)),
    decodeTokS: median(runs.map((figures) => figures.decodeTokS)),
    decodeStepMsP50: quantile(sortedSteps, 0.5) * 1000,
    decodeStepMsP95: quantile(sortedSteps, 0.95) * 1000,
    ...(profile && { profile: await profileDecode(model, prompts, generateLength) }),
  };
}

/** Opens the checkpoint folder `directory`, measures it as measureInference does, frees it. */
export async function measureCheckpoint(
  gpu: Gpu,
  directory: string,
  load: LoadOptions,
  options: InferenceBenchmarkOptions,
): Promise<{ figures: InferenceFigures; config: ModelConfig; matrixElementBytes: number }> {
  const model = await LlamaModel.open(gpu, directory, load);
  try {
    return {
      figures: await measureInference(model, options),
      config: model.config,
      matrixElementBytes: model.matrixElementBytes,
    };
  } finally {
    model.dispose();
  }
}

/** A factorised model's speed against the dense model's, and the FLOP bound on its decode. */
export interface DenseComparison {
  /** Decode tokens/s over the dense model's. */
  speedup: number;
  prefillSpeedup: number;
  /** The decode speedup the FLOPs allow: speedupBound. */
  bound: number;
}

export function compareWithDense(
  dense: InferenceFigures,
  factorised: InferenceFigures,
  config: ModelConfig,
  { experts, topK }: { experts: number; topK: number },
): DenseComparison {
  return {
    speedup: decodeSpeedup(factorised.decodeTokS, dense.decodeTokS),
    prefillSpeedup: decodeSpeedup(factorised.prefillTokS, dense.prefillTokS),
    bound: speedupBound(config, experts, topK),
  };
}
