import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

/** silu(x) = x * sigmoid(x) and its derivative s * (1 + x * (1 - s)). */
export const SILU_WGSL = /* wgsl */ `
fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn silu(x: f32) -> f32 { return x * sigmoid(x); }
fn siluDerivative(x: f32) -> f32 {
  let s = sigmoid(x);
  return s * (1.0 + x * (1.0 - s));
}`;

const siluKernel: KernelDefinition = {
  name: 'silu',
  params: { count: 'u32' },
  inputs: ['x'],
  outputs: ['y'],
  main: perElement('  y[index] = silu(x[index]);', SILU_WGSL),
};

const siluBackwardKernel: KernelDefinition = {
  name: 'silu backward',
  params: { count: 'u32' },
  inputs: ['x', 'dy'],
  outputs: ['dx'],
  main: perElement('  dx[index] = dy[index] * siluDerivative(x[index]);', SILU_WGSL),
};

const siluOp = defineOp({
  name: 'silu',
  forward([x]) {
    const call = describeCall('silu', [x!]);
    checkDtype(call, 'x', x!, ['f32']);
    const y = allocateTensor(x!.engine, call, x!.shape, 'f32');
    runKernel(x!.engine, siluKernel, {
      operation: call,
      inputs: [x!],
      outputs: [y],
      params: { count: x!.size },
      workgroups: grid(x!.size),
    });
    return { output: y };
  },
  backward({ inputs: [x], gradOutput }) {
    const operation = describeCall('silu backward', [x!, gradOutput]);
    const dx = allocateTensor(x!.engine, operation, x!.shape, 'f32');
    runKernel(x!.engine, siluBackwardKernel, {
      operation,
      inputs: [x!, gradOutput],
      outputs: [dx],
      params: { count: x!.size },
      workgroups: grid(x!.size),
    });
    return [dx];
  },
});

/** x * sigmoid(x), elementwise. */
export function silu(x: Tensor): Tensor {
  return applyOp(siluOp, [x], undefined);
}
