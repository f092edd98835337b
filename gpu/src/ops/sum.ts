import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import { sizeOf, type Shape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import type { OpDefinition } from './op.ts';
import { defineOp } from './registry.ts';
import { grid, perElement, perRow } from '../kernel/wgsl.ts';

/** The input seen as [outer, reduce, inner], summed over the middle axis. */
export interface ReduceLayout {
  outer: number;
  reduce: number;
  inner: number;
}

export interface ReduceOptions {
  /** The dimension to reduce (negative counts from the end); all of them when absent. */
  axis?: number;
}

interface ReduceAttrs {
  /** The reduced dimension, or undefined for all of them. */
  dim: number | undefined;
  /** Divide by the number of elements summed. */
  average: boolean;
}

/** One workgroup per output element; lanes stride along the reduced axis. */
const reduceKernel: KernelDefinition = {
  name: 'reduce sum',
  params: { rows: 'u32', reduce: 'u32', inner: 'u32', scale: 'f32' },
  inputs: ['x'],
  outputs: ['y'],
  main: perRow(`
  let outer = row / params.inner;
  let base = outer * params.reduce * params.inner + row % params.inner;
  var partial = 0.0;
  for (var r = lane; r < params.reduce; r += LANES) { partial += x[base + r * params.inner]; }
  let total = workgroupSum(partial, lane);
  if (lane == 0u) { y[row] = total * params.scale; }`),
};

/** dx[o, r, i] = dy[o, i] * scale. */
const broadcastKernel: KernelDefinition = {
  name: 'reduce sum backward',
  params: { count: 'u32', reduce: 'u32', inner: 'u32', scale: 'f32' },
  inputs: ['dy'],
  outputs: ['dx'],
  main: perElement(`
  let inner = index % params.inner;
  let outer = index / (params.reduce * params.inner);
  dx[index] = dy[outer * params.inner + inner] * params.scale;`),
};

/** Sums `x` over the middle axis of `layout` into a new tensor of `shape`, times `scale`. */
export function reduceSum(
  x: Tensor,
  layout: ReduceLayout,
  shape: Shape,
  scale: number,
  operation: string,
): Tensor {
  const y = allocateTensor(x.engine, operation, shape, 'f32');
  const rows = layout.outer * layout.inner;
  runKernel(x.engine, reduceKernel, {
    operation,
    inputs: [x],
    outputs: [y],
    params: { rows, reduce: layout.reduce, inner: layout.inner, scale },
    workgroups: grid(rows, 1),
  });
  return y;
}

const reduceOp: OpDefinition<ReduceAttrs> = defineOp<ReduceAttrs>({
  name: 'sum',
  forward([x], { dim, average }) {
    const call = describeCall(
      average ? 'mean' : 'sum',
      [x!],
      dim === undefined ? '' : `axis ${dim}`,
    );
    checkDtype(call, 'x', x!, ['f32']);
    const layout = reduceLayout(x!.shape, dim);
    const shape = dim === undefined ? [] : x!.shape.filter((_, index) => index !== dim);
    return { output: reduceSum(x!, layout, shape, average ? 1 / layout.reduce : 1, call) };
  },
  backward({ inputs: [x], gradOutput, attrs: { dim, average } }) {
    const operation = describeCall('sum backward', [gradOutput]);
    const layout = reduceLayout(x!.shape, dim);
    const dx = allocateTensor(x!.engine, operation, x!.shape, 'f32');
    runKernel(x!.engine, broadcastKernel, {
      operation,
      inputs: [gradOutput],
      outputs: [dx],
      params: {
        count: x!.size,
        reduce: layout.reduce,
        inner: layout.inner,
        scale: average ? 1 / layout.reduce : 1,
      },
      workgroups: grid(x!.size),
    });
    return [dx];
  },
});

/** The sum over `axis`, or over everything (a one-element tensor of shape []). */
export function sum(x: Tensor, { axis }: ReduceOptions = {}): Tensor {
  return applyOp(reduceOp, [x], { dim: normaliseAxis('sum', x, axis), average: false });
}

/** The mean over `axis`, or over everything. */
export function mean(x: Tensor, { axis }: ReduceOptions = {}): Tensor {
  return applyOp(reduceOp, [x], { dim: normaliseAxis('mean', x, axis), average: true });
}

function normaliseAxis(op: string, x: Tensor, axis: number | undefined): number | undefined {
  if (axis === undefined) return undefined;
  const rank = x.shape.length;
  const dim = axis < 0 ? rank + axis : axis;
  if (!Number.isInteger(dim) || dim < 0 || dim >= rank) {
    throw new Error(`${describeCall(op, [x])}: axis ${axis} is out of range for rank ${rank}`);
  }
  return dim;
}

function reduceLayout(shape: Shape, dim: number | undefined): ReduceLayout {
  const size = sizeOf(shape);
  if (dim === undefined) return { outer: 1, reduce: size, inner: 1 };
  const inner = sizeOf(shape.slice(dim + 1));
  return { outer: size / (shape[dim]! * inner), reduce: shape[dim]!, inner };
}
