import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, checkSameShape, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { SILU_WGSL } from './silu.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

const swigluKernel: KernelDefinition = {
  name: 'swiglu',
  params: { count: 'u32' },
  inputs: ['gate', 'up'],
  outputs: ['y'],
  main: perElement('  y[index] = silu(gate[index]) * up[index];', SILU_WGSL),
};

/** Both gradients in one pass: each needs the gate's sigmoid. */
const swigluBackwardKernel: KernelDefinition = {
  name: 'swiglu backward',
  params: { count: 'u32' },
  inputs: ['gate', 'up', 'dy'],
  outputs: ['dGate', 'dUp'],
  main: perElement(
    `
  let g = gate[index];
  dGate[index] = dy[index] * up[index] * siluDerivative(g);
  dUp[index] = dy[index] * silu(g);`,
    SILU_WGSL,
  ),
};

const swigluOp = defineOp({
  name: 'swiglu',
  forward([gate, up]) {
    const call = describeCall('swiglu', [gate!, up!]);
    checkDtype(call, 'gate', gate!, ['f32']);
    checkDtype(call, 'up', up!, ['f32']);
    checkSameShape(call, gate!, up!);
    const y = allocateTensor(gate!.engine, call, gate!.shape, 'f32');
    runKernel(gate!.engine, swigluKernel, {
      operation: call,
      inputs: [gate!, up!],
      outputs: [y],
      params: { count: y.size },
      workgroups: grid(y.size),
    });
    return { output: y };
  },
  backward({ inputs: [gate, up], gradOutput }) {
    const operation = describeCall('swiglu backward', [gate!, up!, gradOutput]);
    const dGate = allocateTensor(gate!.engine, operation, gate!.shape, 'f32');
    const dUp = allocateTensor(gate!.engine, operation, gate!.shape, 'f32');
    runKernel(gate!.engine, swigluBackwardKernel, {
      operation,
      inputs: [gate!, up!, gradOutput],
      outputs: [dGate, dUp],
      params: { count: gate!.size },
      workgroups: grid(gate!.size),
    });
    return [dGate, dUp];
  },
});

/** silu(gate) * up: the Llama feed-forward's gated activation. */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  return applyOp(swigluOp, [gate, up], undefined);
}
