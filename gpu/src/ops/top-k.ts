import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, checkRank, describeCall, rowsAndColumns } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

export interface TopK {
  /** i32 [..., k]: the chosen columns of each row, largest first. */
  indices: Tensor;
  /** f32 [..., columns]: 1 where a column was chosen, else 0. */
  mask: Tensor;
}

/**
 * A column's rank in its row is the number of columns that beat it (larger, or equal at a lower
 * index, so ties go to the lower index); it is chosen when its rank is below k.
 */
const topKKernel: KernelDefinition = {
  name: 'topK',
  params: { count: 'u32', columns: 'u32', k: 'u32' },
  inputs: ['x'],
  outputs: ['indices', 'mask'],
  main: perElement(`
  let column = index % params.columns;
  let base = index - column;
  let value = x[index];
  var rank = 0u;
  for (var c = 0u; c < params.columns; c++) {
    let other = x[base + c];
    if (other > value || (other == value && c < column)) { rank++; }
  }
  let chosen = rank < params.k;
  mask[index] = select(0.0, 1.0, chosen);
  if (chosen) { indices[index / params.columns * params.k + rank] = i32(column); }`),
};

/**
 * The k largest entries of each row of x [..., columns] (router logits): their indices and a 0/1
 * mask. Routing is a choice, not a function with a gradient: neither output is on the tape.
 */
export function topK(x: Tensor, k: number): TopK {
  const call = describeCall('topK', [x], `k ${k}`);
  checkDtype(call, 'x', x, ['f32']);
  checkRank(call, 'x', x, 1);
  const { columns } = rowsAndColumns(x.shape);
  if (!Number.isInteger(k) || k < 1 || k > columns) {
    throw new Error(`${call}: k must be an integer from 1 to ${columns}`);
  }
  const indices = allocateTensor(x.engine, call, [...x.shape.slice(0, -1), k], 'i32');
  const mask = allocateTensor(x.engine, call, x.shape, 'f32');
  runKernel(x.engine, topKKernel, {
    operation: call,
    inputs: [x],
    outputs: [indices, mask],
    params: { count: x.size, columns, k },
    workgroups: grid(x.size),
  });
  return { indices, mask };
}
