import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

/** y[b, h] = x[b, h / groups]: each key/value head serves `groups` query heads in turn. */
const repeatKernel: KernelDefinition = {
  name: 'repeatHeads',
  params: { count: 'u32', groups: 'u32', headSize: 'u32' },
  inputs: ['x'],
  outputs: ['y'],
  main: perElement(`
  let head = index / params.headSize;
  y[index] = x[head / params.groups * params.headSize + index % params.headSize];`),
};

/** dx[b, g] = sum of dy[b, g * groups + i] over i < groups. */
const sumGroupsKernel: KernelDefinition = {
  name: 'repeatHeads backward',
  params: { count: 'u32', groups: 'u32', headSize: 'u32' },
  inputs: ['dy'],
  outputs: ['dx'],
  main: perElement(`
  let head = index / params.headSize;
  let offset = index % params.headSize;
  var total = 0.0;
  for (var i = 0u; i < params.groups; i++) {
    total += dy[(head * params.groups + i) * params.headSize + offset];
  }
  dx[index] = total;`),
};

const repeatHeadsOp = defineOp<number>({
  name: 'repeatHeads',
  forward([x], groups) {
    const call = describeCall('repeatHeads', [x!], `groups ${groups}`);
    checkDtype(call, 'x', x!, ['f32']);
    if (x!.shape.length !== 4 || !Number.isInteger(groups) || groups < 1) {
      throw new Error(
        `${call}: x must be [batch, heads, positions, headSize], groups a positive integer`,
      );
    }
    const [batch, heads, positions, headSize] = x!.shape as [number, number, number, number];
    const y = allocateTensor(x!.engine, call, [batch, heads * groups, positions, headSize], 'f32');
    runKernel(x!.engine, repeatKernel, {
      operation: call,
      inputs: [x!],
      outputs: [y],
      params: { count: y.size, groups, headSize: positions * headSize },
      workgroups: grid(y.size),
    });
    return { output: y };
  },
  backward({ inputs: [x], gradOutput, attrs: groups }) {
    const operation = describeCall('repeatHeads backward', [gradOutput]);
    const dx = allocateTensor(x!.engine, operation, x!.shape, 'f32');
    runKernel(x!.engine, sumGroupsKernel, {
      operation,
      inputs: [gradOutput],
      outputs: [dx],
      params: { count: x!.size, groups, headSize: x!.shape[2]! * x!.shape[3]! },
      workgroups: grid(x!.size),
    });
    return [dx];
  },
});

/** x [batch, heads, positions, headSize] with each head repeated `groups` times in place. */
export function repeatHeads(x: Tensor, groups: number): Tensor {
  return applyOp(repeatHeadsOp, [x], groups);
}
