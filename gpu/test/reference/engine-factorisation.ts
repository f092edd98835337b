import type { LayerFactorisation } from '../../src/index.ts';
import type { ReferenceFactorisation } from './llama-f64.ts';

/** The engine's form of a reference factorisation: routers rounded to f32, as they are loaded. */
export function asEngineLayers(factorisation: ReferenceFactorisation): LayerFactorisation[] {
  return factorisation.layers.map((layer) => ({
    experts: layer.experts.map((neurons) => [...neurons]),
    routerWeight: Float32Array.from(layer.routerWeight),
    routerBias: Float32Array.from(layer.routerBias),
  }));
}

/** The reference factorisation with its routers rounded to f32, as the engine computes with them. */
export function roundedRouters(factorisation: ReferenceFactorisation): ReferenceFactorisation {
  return {
    topK: factorisation.topK,
    layers: factorisation.layers.map((layer) => ({
      ...layer,
      routerWeight: Float64Array.from(Float32Array.from(layer.routerWeight)),
      routerBias: Float64Array.from(Float32Array.from(layer.routerBias)),
    })),
  };
}
