import { z } from 'zod';
import { normalValues, seededRandom } from '../util/random.ts';
import { INITIALIZER_STD } from '../model/random-init.ts';
import { balancedKMeans, contiguousGroups, evenCapacities, shuffled } from './neuron-groups.ts';

/** The seeded generator of layer `layer`'s split and router. */
export function layerRandom(seed: number, layer: number): () => number {
  return seededRandom(seed * 1009 + layer);
}

/** The gate rows ([f, d]) of `neurons`, for k-means. */
export function gateRows(
  gate: Float32Array,
  neurons: readonly number[],
  inputs: number,
): Float64Array[] {
  return neurons.map((neuron) =>
    Float64Array.from(gate.subarray(neuron * inputs, (neuron + 1) * inputs)),
  );
}

export const SPLIT_STRATEGIES = ['sequential', 'random', 'kmeans'] as const;
export type SplitStrategy = (typeof SPLIT_STRATEGIES)[number];

export const factorisationSchema = z
  .object({
    experts: z.int().min(1).max(32),
    topK: z.int().min(1),
    split: z.enum(SPLIT_STRATEGIES).default('sequential'),
    seed: z.int().default(0),
  })
  .refine((options) => options.topK <= options.experts, {
    path: ['topK'],
    message: 'must be at most the number of experts',
  });

export type FactorisationOptions = z.input<typeof factorisationSchema>;

/**
 * One layer's experts (intermediate neurons each owns) and its router: Linear(d, N), or with
 * `routerHidden` MoEfication's Linear(d, E) -> tanh -> Linear(E, N) (routerWeight then [N, E]).
 * `shared` neurons, if any, form the always-on shared expert and belong to no routed expert.
 */
export interface LayerFactorisation {
  experts: number[][];
  routerWeight: Float32Array;
  routerBias: Float32Array;
  routerHidden?: { weight: Float32Array; bias: Float32Array };
  shared?: number[];
}

/**
 * Cuts one FFN of width f into N experts without changing a weight, and gives it an untrained
 * router (normal(0, 0.02) weights, zero bias, as Hugging Face initialises a Linear here).
 * `gate` ([f, d]) is read only by the k-means split.
 */
export function factoriseLayer(
  layer: number,
  gate: Float32Array,
  width: number,
  inputs: number,
  options: z.output<typeof factorisationSchema>,
): LayerFactorisation {
  const random = layerRandom(options.seed, layer);
  const { experts } = options;
  const identity = Array.from({ length: width }, (_, index) => index);
  const capacities = evenCapacities(width, experts);
  const groups =
    options.split === 'sequential'
      ? contiguousGroups(identity, capacities)
      : options.split === 'random'
        ? contiguousGroups(shuffled(identity, random), capacities).map((group) =>
            group.sort((a, b) => a - b),
          )
        : balancedKMeans(gateRows(gate, identity, inputs), capacities, random);
  const routerWeight = normalValues(experts * inputs, INITIALIZER_STD, random);
  return { experts: groups, routerWeight, routerBias: new Float32Array(experts) };
}
