import type { ModelConfig } from '../model/config.ts';

/**
 * RoPE's inverse frequencies theta^(-2j/d) for j < d/2, with Llama 3's frequency-dependent
 * scaling when the config asks for it (transformers' `_compute_llama3_parameters`): long
 * wavelengths are divided by `factor`, short ones kept, the band between interpolated.
 */
export function ropeInverseFrequencies(config: ModelConfig): Float32Array {
  const size = config.head_dim;
  const base = Array.from(
    { length: size / 2 },
    (_, j) => 1 / config.rope_theta ** ((2 * Math.fround(j)) / size),
  );
  const scaling = config.rope_scaling;
  if (!scaling) return Float32Array.from(base);
  const {
    factor,
    low_freq_factor: lowFactor,
    high_freq_factor: highFactor,
    original_max_position_embeddings: context,
  } = scaling;
  const lowFrequencyWavelength = context / lowFactor;
  const highFrequencyWavelength = context / highFactor;
  return Float32Array.from(base, (frequency) => {
    const wavelength = (2 * Math.PI) / frequency;
    if (wavelength < highFrequencyWavelength) return frequency;
    if (wavelength > lowFrequencyWavelength) return frequency / factor;
    const smooth = (context / wavelength - lowFactor) / (highFactor - lowFactor);
    return (1 - smooth) * (frequency / factor) + smooth * frequency;
  });
}
