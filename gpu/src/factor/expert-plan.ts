import type { ModelConfig } from '../model/config.ts';
import {
  factorisationSchema,
  factoriseLayer,
  type FactorisationOptions,
  type LayerFactorisation,
} from './factorise.ts';

/** How every FFN of a model is cut: k of N experts, and each layer's split given its gate. */
export interface ExpertPlan {
  topK: number;
  experts: number;
  factorise: (layer: number, gate: Float32Array) => LayerFactorisation;
}

/** What asks for experts when a model is loaded: a split to make, or one already made. */
export interface ExpertOptions {
  /** Cut every FFN into experts with an untrained router (FactorLLM's starting point). */
  factorisation?: FactorisationOptions;
  /** A given factorisation instead (trained routers, or a test's): every layer's experts. */
  expertLayers?: { topK: number; layers: readonly LayerFactorisation[] };
  /** Observes each layer's split, e.g. for a reference to run the same one. */
  onFactorised?: (layer: number, factorisation: LayerFactorisation) => void;
}

/** How the FFNs are cut, if they are: split on the fly, or as given. */
export function planExperts(config: ModelConfig, options: ExpertOptions): ExpertPlan | undefined {
  if (options.expertLayers) {
    const { topK, layers } = options.expertLayers;
    if (layers.length !== config.num_hidden_layers)
      throw new Error(
        `expert layers: got ${layers.length} for a model of ${config.num_hidden_layers} layers`,
      );
    return {
      topK,
      experts: layers[0]!.experts.length,
      factorise: (layer) => layers[layer]!,
    };
  }
  if (!options.factorisation) return undefined;
  const factorisation = factorisationSchema.parse(options.factorisation);
  return {
    topK: factorisation.topK,
    experts: factorisation.experts,
    factorise: (layer, gate) => {
      const result = factoriseLayer(
        layer,
        gate,
        config.intermediate_size,
        config.hidden_size,
        factorisation,
      );
      options.onFactorised?.(layer, result);
      return result;
    },
  };
}
