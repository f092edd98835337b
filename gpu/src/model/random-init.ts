import { normalValues, seededRandom } from '../util/random.ts';
import type { ModelConfig } from './config.ts';
import { elementCount } from './safetensors/header.ts';
import { encodeValues, type SafetensorsDType } from './safetensors/dtype.ts';
import type { SafetensorsEntry } from './safetensors/writer.ts';
import { llamaTensorSpecs, type LlamaTensorSpec } from './llama-tensors.ts';

/** Hugging Face's default initializer_range for Llama. */
export const INITIALIZER_STD = 0.02;

function initialValues(spec: LlamaTensorSpec, random: () => number): Float32Array {
  const length = elementCount(spec.shape);
  switch (spec.kind) {
    case 'norm':
      return new Float32Array(length).fill(1);
    case 'bias':
      return new Float32Array(length);
    case 'embedding':
    case 'projection':
      return normalValues(length, INITIALIZER_STD, random);
  }
}

/**
 * A freshly initialised Llama of `config` as Hugging Face initialises one: weights normal(0, 0.02),
 * norms one, biases zero. Each tensor has its own generator, derived from `seed` and its place in
 * the model, so its values do not depend on the order tensors are encoded in.
 */
export function randomCheckpointEntries(
  config: ModelConfig,
  seed: number,
  dtype: SafetensorsDType,
): SafetensorsEntry[] {
  return llamaTensorSpecs(config).map((spec, index) => ({
    name: spec.name,
    dtype,
    shape: spec.shape,
    encode: () => encodeValues(initialValues(spec, seededRandom(seed * 7919 + index)), dtype),
  }));
}
