import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

/**
 * Token-expert assignments (a = token * k + choice) sorted by expert, token order kept within an
 * expert, so each expert's rows are contiguous. All tensors are i32 and stay on the GPU.
 */
export interface ExpertGroups {
  readonly experts: number;
  readonly topK: number;
  readonly tokens: number;
  /** [tokens * k]: the assignment at each sorted row. */
  readonly order: Tensor;
  /** [tokens * k]: each assignment's sorted row; -1 for an expert id outside [0, experts). */
  readonly positions: Tensor;
  /** [experts + 1]: where each expert's rows start; the last entry counts the valid rows. */
  readonly offsets: Tensor;
  dispose(): void;
}

/**
 * Invocation e < experts counts the assignments to lower experts (its start), then lists its own
 * in order; invocation `experts` marks assignments to invalid ids and writes the total. Each
 * scans every assignment: deterministic, and cheap for the few experts a layer has.
 */
const groupKernel: KernelDefinition = {
  name: 'groupByExpert',
  params: { count: 'u32', assignments: 'u32' },
  inputs: ['choices'],
  outputs: ['order', 'positions', 'offsets'],
  main: perElement(`
  let expert = i32(index);
  let experts = i32(params.count) - 1;
  var start = 0u;
  for (var a = 0u; a < params.assignments; a++) {
    let chosen = choices[a];
    if (chosen >= 0 && chosen < expert) { start++; }
  }
  offsets[index] = i32(start);
  if (expert == experts) {
    for (var a = 0u; a < params.assignments; a++) {
      if (choices[a] < 0 || choices[a] >= experts) { positions[a] = -1; }
    }
    return;
  }
  var row = start;
  for (var a = 0u; a < params.assignments; a++) {
    if (choices[a] == expert) {
      order[row] = i32(a);
      positions[a] = i32(row);
      row++;
    }
  }`),
};

/** Groups the assignments of `choices` (i32 [tokens, k], e.g. topK's indices) by expert. */
export function groupByExpert(choices: Tensor, experts: number): ExpertGroups {
  const call = describeCall('groupByExpert', [choices], `experts ${experts}`);
  checkDtype(call, 'choices', choices, ['i32']);
  if (choices.shape.length !== 2 || !Number.isInteger(experts) || experts < 1) {
    throw new Error(`${call}: choices must be [tokens, k] and experts a positive integer`);
  }
  const [tokens, topK] = choices.shape as [number, number];
  const assignments = tokens * topK;
  const [order, positions] = [0, 1].map(() =>
    allocateTensor(choices.engine, call, [assignments], 'i32'),
  ) as [Tensor, Tensor];
  const offsets = allocateTensor(choices.engine, call, [experts + 1], 'i32');
  runKernel(choices.engine, groupKernel, {
    operation: call,
    inputs: [choices],
    outputs: [order, positions, offsets],
    params: { count: experts + 1, assignments },
    workgroups: grid(experts + 1),
  });
  return {
    experts,
    topK,
    tokens,
    order,
    positions,
    offsets,
    dispose() {
      for (const tensor of [order, positions, offsets]) tensor.dispose();
    },
  };
}
