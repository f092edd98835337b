import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

const scaleKernel: KernelDefinition = {
  name: 'scale',
  params: { count: 'u32', factor: 'f32' },
  inputs: ['x'],
  outputs: ['y'],
  main: perElement('  y[index] = x[index] * params.factor;'),
};

function encodeScale(x: Tensor, factor: number, operation: string): Tensor {
  const y = allocateTensor(x.engine, operation, x.shape, 'f32');
  runKernel(x.engine, scaleKernel, {
    operation,
    inputs: [x],
    outputs: [y],
    params: { count: x.size, factor },
    workgroups: grid(x.size),
  });
  return y;
}

const scaleOp = defineOp<number>({
  name: 'scale',
  forward([x], factor) {
    const call = describeCall('scale', [x!], `factor ${factor}`);
    checkDtype(call, 'x', x!, ['f32']);
    if (!Number.isFinite(factor)) throw new Error(`${call}: the factor must be finite`);
    return { output: encodeScale(x!, factor, call) };
  },
  backward({ gradOutput, attrs: factor }) {
    return [encodeScale(gradOutput, factor, describeCall('scale backward', [gradOutput]))];
  },
});

/** x * factor. */
export function scale(x: Tensor, factor: number): Tensor {
  return applyOp(scaleOp, [x], factor);
}
