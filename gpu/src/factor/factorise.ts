import { z } from 'zod';
import { normalValues, seededRandom } from '../util/random.ts';
import { INITIALIZER_STD } from '../model/random-init.ts';

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

/** Neurons [floor(e f / N), floor((e + 1) f / N)) for expert e. */
function contiguousChunks(order: readonly number[], experts: number): number[][] {
  const width = order.length;
  return Array.from({ length: experts }, (_, expert) =>
    order.slice(
      Math.floor((expert * width) / experts),
      Math.floor(((expert + 1) * width) / experts),
    ),
  );
}

function shuffled(width: number, random: () => number): number[] {
  const order = Array.from({ length: width }, (_, index) => index);
  for (let index = width - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

/**
 * Balanced k-means over the unit-normalised gate rows (MoEfication's split): Lloyd iterations,
 * each assigning neurons greedily by their distance margin to clusters with room left, so every
 * expert gets floor or ceil of f / N neurons.
 */
function balancedKMeans(
  gate: Float32Array,
  width: number,
  inputs: number,
  experts: number,
  random: () => number,
): number[][] {
  const rows = Array.from({ length: width }, (_, neuron) => {
    const row = gate.subarray(neuron * inputs, (neuron + 1) * inputs);
    const norm = Math.hypot(...row) || 1;
    return Float64Array.from(row, (value) => value / norm);
  });
  let centres = shuffled(width, random)
    .slice(0, experts)
    .map((neuron) => Float64Array.from(rows[neuron]!));
  const capacities = contiguousChunks(
    Array.from({ length: width }, (_, index) => index),
    experts,
  ).map((chunk) => chunk.length);
  let groups: number[][] = [];
  for (let iteration = 0; iteration < 15; iteration++) {
    const scores = rows.map((row) =>
      centres.map((centre) => row.reduce((sum, value, index) => sum + value * centre[index]!, 0)),
    );
    const preference = rows.map((_, neuron) => {
      const sorted = [...scores[neuron]!].sort((a, b) => b - a);
      return { neuron, margin: sorted[0]! - (sorted[1] ?? 0) };
    });
    preference.sort((a, b) => b.margin - a.margin || a.neuron - b.neuron);
    groups = Array.from({ length: experts }, () => []);
    for (const { neuron } of preference) {
      const ranked = scores[neuron]!.map((score, expert) => ({ score, expert })).sort(
        (a, b) => b.score - a.score || a.expert - b.expert,
      );
      const target = ranked.find(({ expert }) => groups[expert]!.length < capacities[expert]!)!;
      groups[target.expert]!.push(neuron);
    }
    centres = groups.map((members) => {
      const centre = new Float64Array(inputs);
      for (const neuron of members)
        rows[neuron]!.forEach((value, index) => (centre[index]! += value));
      return centre;
    });
  }
  return groups.map((members) => members.sort((a, b) => a - b));
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
  const random = seededRandom(options.seed * 1009 + layer);
  const { experts } = options;
  const identity = Array.from({ length: width }, (_, index) => index);
  const groups =
    options.split === 'sequential'
      ? contiguousChunks(identity, experts)
      : options.split === 'random'
        ? contiguousChunks(shuffled(width, random), experts).map((group) =>
            group.sort((a, b) => a - b),
          )
        : balancedKMeans(gate, width, inputs, experts, random);
  const routerWeight = normalValues(experts * inputs, INITIALIZER_STD, random);
  return { experts: groups, routerWeight, routerBias: new Float32Array(experts) };
}
