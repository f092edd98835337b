import { MAX_EXPERTS } from '../ops/fused/experts.ts';
import type { LayerFactorisation } from './factorise.ts';

/** Where each expert's neurons sit once permuted contiguous, as the expert kernels read them. */
export interface ExpertLayout {
  /** The FFN's neurons in expert order: expert 0's, then expert 1's, and so on. */
  order: number[];
  /** i32 [experts + 1]: where each expert's neurons start in `order`. */
  offsets: Int32Array;
  /** The largest expert's neuron count. */
  block: number;
}

/**
 * The layout of one layer's experts, checked: they own every one of `width` neurons exactly
 * once, k of them exist, and the router is [experts, inputs] with a bias per expert.
 */
export function expertLayout(
  prefix: string,
  { experts, routerWeight, routerBias }: LayerFactorisation,
  width: number,
  inputs: number,
  topK: number,
): ExpertLayout {
  checkPartition(prefix, experts, width, topK);
  if (routerWeight.length !== experts.length * inputs || routerBias.length !== experts.length)
    throw new Error(
      `${prefix}: the router must be [${experts.length}, ${inputs}] with ${experts.length} biases`,
    );
  const offsets = Int32Array.from([0, ...experts.map((group) => group.length)]);
  for (let index = 1; index < offsets.length; index++) offsets[index]! += offsets[index - 1]!;
  return {
    order: experts.flat(),
    offsets,
    block: Math.max(...experts.map((group) => group.length)),
  };
}

/** Rows (or, with `columns` > 1 and `byColumn`, columns) of a row-major matrix in `order`. */
export function permute(
  values: Float32Array,
  order: readonly number[],
  columns: number,
  byColumn: boolean,
): Float32Array {
  const result = new Float32Array(values.length);
  if (!byColumn) {
    order.forEach((source, target) =>
      result.set(values.subarray(source * columns, (source + 1) * columns), target * columns),
    );
    return result;
  }
  const rows = values.length / columns;
  for (let row = 0; row < rows; row++) {
    const base = row * columns;
    order.forEach((source, target) => (result[base + target] = values[base + source]!));
  }
  return result;
}

/** Experts must own every neuron exactly once, and k of them must exist. */
function checkPartition(
  prefix: string,
  experts: readonly (readonly number[])[],
  width: number,
  topK: number,
): void {
  if (experts.length < 1 || experts.length > MAX_EXPERTS)
    throw new Error(`${prefix}: ${experts.length} experts; 1 to ${MAX_EXPERTS} are supported`);
  if (topK < 1 || topK > experts.length)
    throw new Error(`${prefix}: top-k ${topK} must be between 1 and ${experts.length}`);
  const owner = new Int32Array(width).fill(-1);
  experts.forEach((neurons, expert) => {
    if (neurons.length === 0) throw new Error(`${prefix}: expert ${expert} owns no neurons`);
    for (const neuron of neurons) {
      if (!Number.isInteger(neuron) || neuron < 0 || neuron >= width || owner[neuron] !== -1)
        throw new Error(
          `${prefix}: neuron ${neuron} of expert ${expert} is out of range or owned twice`,
        );
      owner[neuron] = expert;
    }
  });
  const orphan = owner.indexOf(-1);
  if (orphan >= 0) throw new Error(`${prefix}: neuron ${orphan} belongs to no expert`);
}
