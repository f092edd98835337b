import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkBroadcast, unbroadcast } from './broadcast.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

const mulKernel: KernelDefinition = {
  name: 'mul',
  params: { count: 'u32', bCount: 'u32' },
  inputs: ['a', 'b'],
  outputs: ['y'],
  main: perElement('  y[index] = a[index] * b[index % params.bCount];'),
};

function encodeMul(a: Tensor, b: Tensor, operation: string): Tensor {
  const y = allocateTensor(a.engine, operation, a.shape, 'f32');
  runKernel(a.engine, mulKernel, {
    operation,
    inputs: [a, b],
    outputs: [y],
    params: { count: a.size, bCount: b.size },
    workgroups: grid(a.size),
  });
  return y;
}

const mulOp = defineOp({
  name: 'mul',
  forward([a, b]) {
    const call = describeCall('mul', [a!, b!]);
    checkDtype(call, 'a', a!, ['f32']);
    checkDtype(call, 'b', b!, ['f32']);
    checkBroadcast(call, a!, b!);
    return { output: encodeMul(a!, b!, call) };
  },
  backward({ inputs: [a, b], gradOutput, needsGrad }) {
    const operation = describeCall('mul backward', [gradOutput]);
    const da = needsGrad[0] ? encodeMul(gradOutput, b!, operation) : undefined;
    if (!needsGrad[1]) return [da, undefined];
    const gradTimesA = encodeMul(gradOutput, a!, operation);
    const db = unbroadcast(gradTimesA, b!, operation);
    if (db !== gradTimesA) gradTimesA.dispose();
    return [da, db];
  },
});

/** a * b elementwise, b broadcast over a's leading dimensions. */
export function mul(a: Tensor, b: Tensor): Tensor {
  return applyOp(mulOp, [a, b], undefined);
}
