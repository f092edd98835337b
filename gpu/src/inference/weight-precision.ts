import type { HalfStorage } from './weight-uploader.ts';

/**
 * How a model's matrices are stored on the GPU (see LoadOptions.weights): `auto` keeps F16 and
 * BF16 checkpoints' matrices in f16 where the device computes f16, `f32` widens every one, `f16`
 * also rounds F32 matrices to f16. A module of its own so that command lines can name the choices
 * without loading the engine.
 */
export const WEIGHT_PRECISIONS = ['auto', 'f32', 'f16'] as const;
export type WeightPrecision = (typeof WEIGHT_PRECISIONS)[number];

export const WEIGHT_PRECISION_HELP =
  'auto (default) keeps F16/BF16 matrices in f16 on the GPU where it computes f16; f32 widens ' +
  'them; f16 also rounds f32 matrices to f16 (half the bytes decode reads; the logits move, and ' +
  'lab bench reports by how much)';

/** The matrices `weights` keeps in f16 on a device that has shader-f16 or not. */
export function halfStorage(
  weights: WeightPrecision,
  hasHalf: boolean,
  adapter: string,
): HalfStorage {
  if (weights === 'f32') return 'none';
  if (weights === 'auto') return hasHalf ? 'stored' : 'none';
  if (!hasHalf)
    throw new Error(
      `weights f16: this adapter (${adapter}) cannot compute with f16 (no shader-f16); use auto or f32`,
    );
  return 'all';
}
