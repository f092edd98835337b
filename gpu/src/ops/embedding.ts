import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement, QUIET_NAN_WGSL } from '../kernel/wgsl.ts';

/** out[t, d] = weight[ids[t], d]; NaN for an id outside [0, rows). */
const gatherKernel: KernelDefinition = {
  name: 'embedding',
  params: { count: 'u32', rows: 'u32', columns: 'u32' },
  inputs: ['weight', 'ids'],
  outputs: ['y'],
  main: perElement(
    `
  let id = ids[index / params.columns];
  let column = index % params.columns;
  let valid = id >= 0 && u32(id) < params.rows;
  let at = u32(clamp(id, 0, i32(params.rows) - 1)) * params.columns + column;
  y[index] = select(quietNan(), f32(weight[at]), valid);`,
    QUIET_NAN_WGSL,
  ),
};

/**
 * dWeight[v, d] = sum of dy[t, d] over tokens t with ids[t] = v. One invocation per column walks
 * the tokens in order: no float atomics (WGSL has none), and the same sum every run.
 */
const scatterAddKernel: KernelDefinition = {
  name: 'embedding backward',
  params: { count: 'u32', tokens: 'u32', rows: 'u32' },
  inputs: ['ids', 'dy'],
  outputs: ['dWeight'],
  main: perElement(`
  for (var t = 0u; t < params.tokens; t++) {
    let id = ids[t];
    if (id >= 0 && u32(id) < params.rows) {
      dWeight[u32(id) * params.count + index] += dy[t * params.count + index];
    }
  }`),
};

const embeddingOp = defineOp({
  name: 'embedding',
  forward([weight, ids]) {
    const call = describeCall('embedding', [weight!, ids!]);
    checkDtype(call, 'weight', weight!, ['f32', 'f16']);
    checkDtype(call, 'ids', ids!, ['i32']);
    if (weight!.shape.length !== 2) {
      throw new Error(`${call}: weight must be [rows, columns], not ${formatShape(weight!.shape)}`);
    }
    const [rows, columns] = weight!.shape as [number, number];
    const y = allocateTensor(weight!.engine, call, [...ids!.shape, columns], 'f32');
    runKernel(weight!.engine, gatherKernel, {
      operation: call,
      inputs: [weight!, ids!],
      outputs: [y],
      params: { count: y.size, rows, columns },
      workgroups: grid(y.size),
    });
    return { output: y };
  },
  backward({ inputs: [weight, ids], gradOutput }) {
    const operation = describeCall('embedding backward', [weight!, ids!, gradOutput]);
    const [rows, columns] = weight!.shape as [number, number];
    const dWeight = allocateTensor(weight!.engine, operation, weight!.shape, 'f32');
    weight!.engine.batch.clear(operation, dWeight.bufferFor(operation));
    runKernel(weight!.engine, scatterAddKernel, {
      operation,
      inputs: [ids!, gradOutput],
      outputs: [dWeight],
      params: { count: columns, tokens: ids!.size, rows },
      workgroups: grid(columns),
    });
    return [dWeight, undefined];
  },
});

/** Rows of `weight` [rows, columns] picked by `ids` (i32, any shape): [...ids.shape, columns]. */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  return applyOp(embeddingOp, [weight, ids], undefined);
}
