import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement, QUIET_NAN_WGSL } from '../kernel/wgsl.ts';

/** y[r, j] = x[r, indices[r, j]]; NaN for an index outside the row. */
const gatherKernel: KernelDefinition = {
  name: 'gatherColumns',
  params: { count: 'u32', columns: 'u32', k: 'u32' },
  inputs: ['x', 'indices'],
  outputs: ['y'],
  main: perElement(
    `
  let row = index / params.k;
  let column = indices[index];
  let valid = column >= 0 && u32(column) < params.columns;
  y[index] = select(quietNan(), x[row * params.columns + u32(clamp(column, 0, i32(params.columns) - 1))], valid);`,
    QUIET_NAN_WGSL,
  ),
};

/** dx[r, c] = the sum of dy[r, j] over the j with indices[r, j] = c: each output writes once. */
const scatterKernel: KernelDefinition = {
  name: 'gatherColumns backward',
  params: { count: 'u32', columns: 'u32', k: 'u32' },
  inputs: ['dy', 'indices'],
  outputs: ['dx'],
  main: perElement(`
  let row = index / params.columns;
  let column = i32(index % params.columns);
  var total = 0.0;
  for (var j = 0u; j < params.k; j++) {
    if (indices[row * params.k + j] == column) { total += dy[row * params.k + j]; }
  }
  dx[index] = total;`),
};

const gatherColumnsOp = defineOp({
  name: 'gatherColumns',
  forward([x, indices]) {
    const call = describeCall('gatherColumns', [x!, indices!]);
    checkDtype(call, 'x', x!, ['f32']);
    checkDtype(call, 'indices', indices!, ['i32']);
    if (x!.shape.length !== 2 || indices!.shape.length !== 2 || indices!.shape[0] !== x!.shape[0]) {
      throw new Error(
        `${call}: x must be [rows, columns] and indices [rows, k], got ${formatShape(x!.shape)} and ${formatShape(indices!.shape)}`,
      );
    }
    const [rows, columns] = x!.shape as [number, number];
    const k = indices!.shape[1]!;
    const y = allocateTensor(x!.engine, call, [rows, k], 'f32');
    runKernel(x!.engine, gatherKernel, {
      operation: call,
      inputs: [x!, indices!],
      outputs: [y],
      params: { count: y.size, columns, k },
      workgroups: grid(y.size),
    });
    return { output: y };
  },
  backward({ inputs: [x, indices], gradOutput }) {
    const operation = describeCall('gatherColumns backward', [gradOutput]);
    const dx = allocateTensor(x!.engine, operation, x!.shape, 'f32');
    runKernel(x!.engine, scatterKernel, {
      operation,
      inputs: [gradOutput, indices!],
      outputs: [dx],
      params: { count: dx.size, columns: x!.shape[1]!, k: indices!.shape[1]! },
      workgroups: grid(dx.size),
    });
    return [dx, undefined];
  },
});

/**
 * The entries of each row of x [rows, columns] at that row's `indices` (i32 [rows, k], e.g.
 * topK's choices): [rows, k]. Differentiable in x (the gradient is scattered back).
 */
export function gatherColumns(x: Tensor, indices: Tensor): Tensor {
  return applyOp(gatherColumnsOp, [x, indices], undefined);
}
