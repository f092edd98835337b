import type { ReferenceConfig, ReferenceRopeScaling } from './config-f64.ts';

/** Llama 3's rescaling of RoPE frequencies, as transformers' `_compute_llama3_parameters`. */
function llama3Frequency(inverseFrequency: number, scaling: ReferenceRopeScaling): number {
  const { factor, low_freq_factor: low, high_freq_factor: high } = scaling;
  const oldContext = scaling.original_max_position_embeddings;
  const wavelength = (2 * Math.PI) / inverseFrequency;
  if (wavelength > oldContext / low) return inverseFrequency / factor;
  if (wavelength < oldContext / high) return inverseFrequency;
  const smooth = (oldContext / wavelength - low) / (high - low);
  return ((1 - smooth) * inverseFrequency) / factor + smooth * inverseFrequency;
}

/** RoPE's head_dim / 2 inverse frequencies 1 / theta^(2i / head_dim), rescaled per rope_scaling. */
export function ropeInverseFrequencies(config: ReferenceConfig): Float64Array {
  const headDim = config.head_dim;
  if (headDim % 2 !== 0) throw new Error(`RoPE needs an even head_dim, got ${headDim}`);
  const frequencies = new Float64Array(headDim / 2);
  for (let i = 0; i < frequencies.length; i++) {
    const base = 1 / config.rope_theta ** ((2 * i) / headDim);
    frequencies[i] = config.rope_scaling ? llama3Frequency(base, config.rope_scaling) : base;
  }
  return frequencies;
}
