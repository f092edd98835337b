import { join } from 'node:path';
import { LlamaModel, type LoadOptions } from '../inference/llama-model.ts';
import { CONFIG_FILE } from '../model/checkpoint.ts';
import { readModelConfig } from '../model/config.ts';
import { packTokens } from '../ops/fused/token-batch.ts';
import type { Gpu } from '../runtime/device.ts';
import { seededRandom } from '../util/random.ts';

/** How far a model's logits move when its f32 matrices are rounded to f16 (weights `f16`). */
export interface RoundingError {
  /** Positions compared (one sequence). */
  positions: number;
  /** Largest |f16 logit - f32 logit|. */
  maxAbs: number;
  /** ||f16 - f32|| / ||f32|| over every logit. */
  relativeRms: number;
  /** Share of positions whose most likely next token is the same. */
  top1Agreement: number;
}

async function logitsOf(
  gpu: Gpu,
  directory: string,
  load: LoadOptions,
  ids: number[],
): Promise<Float32Array> {
  const model = await LlamaModel.open(gpu, directory, load);
  try {
    const cache = model.createCache(1, ids.length);
    return await model.forward(packTokens([{ slot: 0, start: 0, ids }]), cache, 'all').read();
  } finally {
    model.dispose();
  }
}

function argmax(values: Float32Array, begin: number, end: number): number {
  let best = begin;
  for (let index = begin + 1; index < end; index++)
    if (values[index]! > values[best]!) best = index;
  return best - begin;
}

/**
 * The logits of `positions` seeded random tokens with the matrices in f32 and rounded to f16,
 * compared: the error the `f16` opt-in costs this checkpoint.
 */
export async function measureRoundingError(
  gpu: Gpu,
  directory: string,
  load: LoadOptions,
  { positions, seed }: { positions: number; seed: number },
): Promise<RoundingError> {
  const vocabulary = (await readModelConfig(join(directory, CONFIG_FILE))).vocab_size;
  const random = seededRandom(seed);
  const ids = Array.from({ length: positions }, () => Math.floor(random() * vocabulary));
  const exact = await logitsOf(gpu, directory, { ...load, weights: 'f32' }, ids);
  const rounded = await logitsOf(gpu, directory, { ...load, weights: 'f16' }, ids);
  let maxAbs = 0;
  let squaredError = 0;
  let squared = 0;
  for (let index = 0; index < exact.length; index++) {
    const difference = rounded[index]! - exact[index]!;
    maxAbs = Math.max(maxAbs, Math.abs(difference));
    squaredError += difference * difference;
    squared += exact[index]! * exact[index]!;
  }
  let agreeing = 0;
  for (let row = 0; row < positions; row++) {
    const begin = row * vocabulary;
    if (argmax(exact, begin, begin + vocabulary) === argmax(rounded, begin, begin + vocabulary))
      agreeing++;
  }
  return {
    positions,
    maxAbs,
    relativeRms: Math.sqrt(squaredError / squared),
    top1Agreement: agreeing / positions,
  };
}
