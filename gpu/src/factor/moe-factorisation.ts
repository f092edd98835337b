import { INITIALIZER_STD } from '../model/random-init.ts';
import { normalValues } from '../util/random.ts';
import { gateRows, layerRandom, type LayerFactorisation } from './factorise.ts';
import type { MoeSplit, RouterType } from './moe-config.ts';
import {
  balancedKMeans,
  coactivationGroups,
  contiguousGroups,
  evenCapacities,
  mostActive,
  shuffled,
} from './neuron-groups.ts';

/** How every FFN of a saved mixture of experts is cut and routed. */
export interface MoeFactorisationSettings {
  experts: number;
  split: MoeSplit;
  router: RouterType;
  /** The mlp router's hidden width E. */
  routerHidden: number;
  /** Neurons of the always-on shared expert (0 for none): the most often active ones. */
  sharedExpertSize: number;
  seed: number;
}

/** One layer of the dense FFN as the split reads it. */
export interface DenseLayer {
  /** gate_proj.weight [f, d]. */
  gate: Float32Array;
  width: number;
  inputs: number;
  /**
   * Co-activation counts [f, f] over the calibration tokens (the diagonal: how often each neuron
   * is active); needed by the coactivation split and by a shared expert.
   */
  coactivation?: Float32Array;
}

/** Whether `settings` need calibration statistics (co-activation counts). */
export function needsCalibration(settings: MoeFactorisationSettings): boolean {
  return settings.split === 'coactivation' || settings.sharedExpertSize > 0;
}

/** Each routed expert's neuron count: the routed neurons shared as evenly as they go. */
export function routedWidths(width: number, settings: MoeFactorisationSettings): number[] {
  return evenCapacities(width - settings.sharedExpertSize, settings.experts);
}

/**
 * Cuts layer `layer`'s FFN into a shared expert (the most often active neurons) and `experts`
 * routed experts of routedWidths, by `split`, without changing a weight, and gives it an
 * untrained router: Linear(d, N), or Linear(d, E) -> tanh -> Linear(E, N), weights normal(0,
 * 0.02) and biases zero as Hugging Face initialises a Linear. Seeded per layer: the same
 * settings cut the same way.
 */
export function factoriseMoeLayer(
  layer: number,
  dense: DenseLayer,
  settings: MoeFactorisationSettings,
): LayerFactorisation {
  const { width, inputs, coactivation } = dense;
  const random = layerRandom(settings.seed, layer);
  if (needsCalibration(settings) && !coactivation)
    throw new Error(
      `layer ${layer}: the ${settings.split} split with a shared expert of ${settings.sharedExpertSize} needs calibration counts`,
    );
  const shared =
    settings.sharedExpertSize > 0
      ? mostActive(coactivation!, width, settings.sharedExpertSize)
      : [];
  const isShared = new Set(shared);
  const routed = Array.from({ length: width }, (_, neuron) => neuron).filter(
    (neuron) => !isShared.has(neuron),
  );
  const capacities = routedWidths(width, settings);
  const sorted = (groups: number[][]) => groups.map((group) => group.sort((a, b) => a - b));
  let experts: number[][];
  switch (settings.split) {
    case 'sequential':
      experts = contiguousGroups(routed, capacities);
      break;
    case 'random':
      experts = sorted(contiguousGroups(shuffled(routed, random), capacities));
      break;
    case 'kmeans':
      experts = balancedKMeans(gateRows(dense.gate, routed, inputs), capacities, random).map(
        (group) => group.map((index) => routed[index]!),
      );
      break;
    case 'coactivation':
      experts = sorted(coactivationGroups(coactivation!, width, routed, capacities, random));
      break;
  }
  const n = settings.experts;
  if (settings.router === 'linear')
    return {
      experts,
      routerWeight: normalValues(n * inputs, INITIALIZER_STD, random),
      routerBias: new Float32Array(n),
      ...(shared.length > 0 ? { shared } : {}),
    };
  const hidden = settings.routerHidden;
  return {
    experts,
    routerHidden: {
      weight: normalValues(hidden * inputs, INITIALIZER_STD, random),
      bias: new Float32Array(hidden),
    },
    routerWeight: normalValues(n * hidden, INITIALIZER_STD, random),
    routerBias: new Float32Array(n),
    ...(shared.length > 0 ? { shared } : {}),
  };
}
