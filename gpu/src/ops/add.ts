import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkBroadcast, unbroadcast } from './broadcast.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

const addKernel: KernelDefinition = {
  name: 'add',
  params: { count: 'u32' },
  inputs: ['a', 'b'],
  outputs: ['y'],
  main: perElement('  y[index] = a[index] + b[index];'),
};

/** b repeated over a's leading dimensions; kept apart since a modulo per element costs on CPUs. */
const addBroadcastKernel: KernelDefinition = {
  name: 'add broadcast',
  params: { count: 'u32', bCount: 'u32' },
  inputs: ['a', 'b'],
  outputs: ['y'],
  main: perElement('  y[index] = a[index] + b[index % params.bCount];'),
};

const addOp = defineOp({
  name: 'add',
  forward([a, b]) {
    const call = describeCall('add', [a!, b!]);
    checkDtype(call, 'a', a!, ['f32']);
    checkDtype(call, 'b', b!, ['f32']);
    checkBroadcast(call, a!, b!);
    const y = allocateTensor(a!.engine, call, a!.shape, 'f32');
    const broadcast = b!.size !== a!.size;
    runKernel(a!.engine, broadcast ? addBroadcastKernel : addKernel, {
      operation: call,
      inputs: [a!, b!],
      outputs: [y],
      params: broadcast ? { count: a!.size, bCount: b!.size } : { count: a!.size },
      workgroups: grid(a!.size),
    });
    return { output: y };
  },
  backward({ inputs: [, b], gradOutput, needsGrad }) {
    const operation = describeCall('add backward', [gradOutput]);
    return [gradOutput, needsGrad[1] ? unbroadcast(gradOutput, b!, operation) : undefined];
  },
});

/** a + b, b broadcast over a's leading dimensions. */
export function add(a: Tensor, b: Tensor): Tensor {
  return applyOp(addOp, [a, b], undefined);
}
