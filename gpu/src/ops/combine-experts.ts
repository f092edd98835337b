import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import type { ExpertGroups } from './group-by-expert.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement, QUIET_NAN_WGSL } from '../kernel/wgsl.ts';

/** out[t, c] = sum over choices j of gates[t, j] * y[position(t, j), c]; NaN for invalid ids. */
const combineKernel: KernelDefinition = {
  name: 'combineExperts',
  params: { count: 'u32', columns: 'u32', topK: 'u32' },
  inputs: ['y', 'gates', 'positions'],
  outputs: ['out'],
  main: perElement(
    `
  let t = index / params.columns;
  let c = index % params.columns;
  var total = 0.0;
  for (var j = 0u; j < params.topK; j++) {
    let a = t * params.topK + j;
    let r = positions[a];
    if (r < 0) { total = quietNan(); break; }
    total += gates[a] * y[u32(r) * params.columns + c];
  }
  out[index] = total;`,
    QUIET_NAN_WGSL,
  ),
};

/** dy[r, c] = gates[a] * dOut[a / k, c] for the assignment a at sorted row r. */
const rowsGradKernel: KernelDefinition = {
  name: 'combineExperts backward rows',
  params: { count: 'u32', columns: 'u32', topK: 'u32', experts: 'u32' },
  inputs: ['gates', 'order', 'offsets', 'dOut'],
  outputs: ['dy'],
  main: perElement(`
  let r = index / params.columns;
  if (i32(r) >= offsets[params.experts]) { dy[index] = 0.0; return; }
  let a = u32(order[r]);
  dy[index] = gates[a] * dOut[a / params.topK * params.columns + index % params.columns];`),
};

/** dGates[a] = y[position(a)] . dOut[a / k]. */
const gatesGradKernel: KernelDefinition = {
  name: 'combineExperts backward gates',
  params: { count: 'u32', columns: 'u32', topK: 'u32' },
  inputs: ['y', 'positions', 'dOut'],
  outputs: ['dGates'],
  main: perElement(`
  let r = positions[index];
  var total = 0.0;
  if (r >= 0) {
    let t = index / params.topK;
    for (var c = 0u; c < params.columns; c++) {
      total += y[u32(r) * params.columns + c] * dOut[t * params.columns + c];
    }
  }
  dGates[index] = total;`),
};

const combineExpertsOp = defineOp<ExpertGroups>({
  name: 'combineExperts',
  forward([y, gates], groups) {
    const call = describeCall('combineExperts', [y!, gates!]);
    checkDtype(call, 'y', y!, ['f32']);
    checkDtype(call, 'gates', gates!, ['f32']);
    const { tokens, topK } = groups;
    if (y!.shape.length !== 2 || y!.shape[0] !== tokens * topK) {
      throw new Error(
        `${call}: y must be [${tokens * topK}, columns], not ${formatShape(y!.shape)}`,
      );
    }
    if (gates!.shape.length !== 2 || gates!.shape[0] !== tokens || gates!.shape[1] !== topK) {
      throw new Error(
        `${call}: gates must be [${tokens}, ${topK}], not ${formatShape(gates!.shape)}`,
      );
    }
    const columns = y!.shape[1]!;
    const out = allocateTensor(y!.engine, call, [tokens, columns], 'f32');
    runKernel(y!.engine, combineKernel, {
      operation: call,
      inputs: [y!, gates!, groups.positions],
      outputs: [out],
      params: { count: out.size, columns, topK },
      workgroups: grid(out.size),
    });
    return { output: out };
  },
  backward({ inputs: [y, gates], gradOutput, attrs: groups, needsGrad }) {
    const operation = describeCall('combineExperts backward', [y!, gates!, gradOutput]);
    const columns = y!.shape[1]!;
    const { topK, experts } = groups;
    let dy: Tensor | undefined;
    if (needsGrad[0]) {
      dy = allocateTensor(y!.engine, operation, y!.shape, 'f32');
      runKernel(y!.engine, rowsGradKernel, {
        operation,
        inputs: [gates!, groups.order, groups.offsets, gradOutput],
        outputs: [dy],
        params: { count: dy.size, columns, topK, experts },
        workgroups: grid(dy.size),
      });
    }
    let dGates: Tensor | undefined;
    if (needsGrad[1]) {
      dGates = allocateTensor(y!.engine, operation, gates!.shape, 'f32');
      runKernel(y!.engine, gatesGradKernel, {
        operation,
        inputs: [y!, groups.positions, gradOutput],
        outputs: [dGates],
        params: { count: dGates.size, columns, topK },
        workgroups: grid(dGates.size),
      });
    }
    return [dy, dGates];
  },
});

/**
 * The weighted scatter back from experts to tokens: out [tokens, columns] sums each token's k
 * expert rows of y [tokens * k, columns] (sorted as `groups`) times its gates [tokens, k].
 */
export function combineExperts(y: Tensor, gates: Tensor, groups: ExpertGroups): Tensor {
  return applyOp(combineExpertsOp, [y, gates], groups);
}
