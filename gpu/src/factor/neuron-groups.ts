/**
 * Ways to cut a set of FFN neurons into groups of given sizes (capacities): contiguous, shuffled,
 * balanced k-means over feature rows, and balanced co-activation clustering. Every group gets
 * exactly its capacity, so experts stay the sizes config.json states.
 */

/** Sizes floor(e n / N) .. floor((e + 1) n / N): equal when N divides n, else differing by one. */
export function evenCapacities(count: number, groups: number): number[] {
  return Array.from(
    { length: groups },
    (_, group) => Math.floor(((group + 1) * count) / groups) - Math.floor((group * count) / groups),
  );
}

/** `order` cut into consecutive runs of `capacities`. */
export function contiguousGroups<T>(order: readonly T[], capacities: readonly number[]): T[][] {
  let start = 0;
  return capacities.map((capacity) => order.slice(start, (start += capacity)));
}

/** A seeded Fisher-Yates shuffle of `items`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const order = [...items];
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

/**
 * Items (by index) into groups of exactly `capacities`, each to its highest-scoring group with
 * room, the items whose best group leads their second by most placed first (ties by index).
 */
export function assignBalanced(
  scores: readonly Float64Array[],
  capacities: readonly number[],
): number[][] {
  const preference = scores.map((row, item) => {
    const sorted = [...row].sort((a, b) => b - a);
    return { item, margin: sorted[0]! - (sorted[1] ?? 0) };
  });
  preference.sort((a, b) => b.margin - a.margin || a.item - b.item);
  const groups: number[][] = capacities.map(() => []);
  for (const { item } of preference) {
    const ranked = [...scores[item]!.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const [target] = ranked.find(([group]) => groups[group]!.length < capacities[group]!)!;
    groups[target]!.push(item);
  }
  return groups.map((members) => members.sort((a, b) => a - b));
}

const sameGroups = (a: readonly number[][], b: readonly number[][]) =>
  a.every((group, index) => group.join() === b[index]!.join());

/**
 * Balanced k-means over unit-normalised `rows` (MoEfication's split over gate rows): centres
 * start at seeded random rows; each Lloyd iteration assigns by assignBalanced on the dot products.
 * Returns groups of row indices.
 */
export function balancedKMeans(
  rows: readonly Float64Array[],
  capacities: readonly number[],
  random: () => number,
  iterations = 15,
): number[][] {
  const unit = rows.map((row) => {
    const norm = Math.hypot(...row) || 1;
    return row.map((value) => value / norm);
  });
  const inputs = unit[0]?.length ?? 0;
  let centres = shuffled(
    unit.map((_, index) => index),
    random,
  )
    .slice(0, capacities.length)
    .map((index) => Float64Array.from(unit[index]!));
  let groups: number[][] = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    const scores = unit.map((row) =>
      Float64Array.from(centres, (centre) =>
        row.reduce((sum, value, index) => sum + value * centre[index]!, 0),
      ),
    );
    const next = assignBalanced(scores, capacities);
    if (groups.length > 0 && sameGroups(groups, next)) break;
    groups = next;
    centres = groups.map((members) => {
      const centre = new Float64Array(inputs);
      for (const member of members) unit[member]!.forEach((value, i) => (centre[i]! += value));
      return centre;
    });
  }
  return groups;
}

/**
 * The co-activation graph of `neurons` (indices into an FFN of `width` neurons; `counts` is
 * [width, width], counts[i, j] the calibration tokens on which both i and j were active) with
 * edges normalised to counts[i, j] / sqrt(counts[i, i] counts[j, j]): how often two neurons fire
 * together relative to how often each fires.
 */
function affinities(counts: Float32Array, width: number, neurons: readonly number[]) {
  const size = neurons.length;
  const weights = new Float64Array(size * size);
  neurons.forEach((i, a) => {
    const ii = counts[i * width + i]!;
    neurons.forEach((j, b) => {
      const jj = counts[j * width + j]!;
      if (a !== b && ii > 0 && jj > 0)
        weights[a * size + b] = counts[i * width + j]! / Math.sqrt(ii * jj);
    });
  });
  return weights;
}

/**
 * A balanced partition of `neurons` into groups of `capacities` that keeps neurons that fire
 * together in one group (MoEfication's co-activation split): from a seeded random balanced start,
 * each round scores every neuron against every group by its mean edge weight to the group's
 * members and reassigns by assignBalanced, until nothing moves. Returns groups of neurons.
 */
export function coactivationGroups(
  counts: Float32Array,
  width: number,
  neurons: readonly number[],
  capacities: readonly number[],
  random: () => number,
  rounds = 30,
): number[][] {
  const size = neurons.length;
  const weights = affinities(counts, width, neurons);
  const indices = neurons.map((_, index) => index);
  let groups = contiguousGroups(shuffled(indices, random), capacities).map((group) =>
    group.sort((a, b) => a - b),
  );
  const groupOf = new Int32Array(size);
  for (let round = 0; round < rounds; round++) {
    groups.forEach((members, group) => members.forEach((member) => (groupOf[member] = group)));
    const scores = indices.map((a) => {
      const row = new Float64Array(groups.length);
      for (let b = 0; b < size; b++) row[groupOf[b]!]! += weights[a * size + b]!;
      groups.forEach((members, group) => (row[group]! /= members.length));
      return row;
    });
    const next = assignBalanced(scores, capacities);
    if (sameGroups(groups, next)) break;
    groups = next;
  }
  return groups.map((members) => members.map((index) => neurons[index]!));
}

/**
 * The share of co-activation (off-diagonal counts) that falls within `groups`: 1 when groups
 * never fire with each other, about the share of same-group pairs for a random split.
 */
export function withinGroupShare(
  counts: Float32Array,
  width: number,
  groups: readonly (readonly number[])[],
): number {
  const neurons = groups.flat();
  const groupOf = new Map<number, number>();
  groups.forEach((members, group) => members.forEach((neuron) => groupOf.set(neuron, group)));
  let within = 0;
  let total = 0;
  for (const i of neurons)
    for (const j of neurons) {
      if (i === j) continue;
      const count = counts[i * width + j]!;
      total += count;
      if (groupOf.get(i) === groupOf.get(j)) within += count;
    }
  return total > 0 ? within / total : 0;
}

/** The `count` neurons active on most calibration tokens (the diagonal of `counts`), ties to the lower index. */
export function mostActive(counts: Float32Array, width: number, count: number): number[] {
  return Array.from({ length: width }, (_, neuron) => neuron)
    .sort((a, b) => counts[b * width + b]! - counts[a * width + a]! || a - b)
    .slice(0, count)
    .sort((a, b) => a - b);
}
