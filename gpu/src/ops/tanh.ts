import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement } from '../kernel/wgsl.ts';

/**
 * tanh through exp(-2|x|), which never overflows (WGSL's tanh may be computed from exp(2x) and
 * give NaN for large x on some drivers).
 */
const TANH_WGSL = /* wgsl */ `
fn stableTanh(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}`;

const tanhKernel: KernelDefinition = {
  name: 'tanh',
  params: { count: 'u32' },
  inputs: ['x'],
  outputs: ['y'],
  main: perElement('  y[index] = stableTanh(x[index]);', TANH_WGSL),
};

/** d tanh(x) / dx = 1 - tanh(x)^2, from the forward's output. */
const tanhBackwardKernel: KernelDefinition = {
  name: 'tanh backward',
  params: { count: 'u32' },
  inputs: ['y', 'dy'],
  outputs: ['dx'],
  main: perElement('  let t = y[index];\n  dx[index] = dy[index] * (1.0 - t * t);'),
};

const tanhOp = defineOp({
  name: 'tanh',
  forward([x]) {
    const call = describeCall('tanh', [x!]);
    checkDtype(call, 'x', x!, ['f32']);
    const y = allocateTensor(x!.engine, call, x!.shape, 'f32');
    runKernel(x!.engine, tanhKernel, {
      operation: call,
      inputs: [x!],
      outputs: [y],
      params: { count: x!.size },
      workgroups: grid(x!.size),
    });
    return { output: y };
  },
  backward({ output, gradOutput }) {
    const operation = describeCall('tanh backward', [output, gradOutput]);
    const dx = allocateTensor(output.engine, operation, output.shape, 'f32');
    runKernel(output.engine, tanhBackwardKernel, {
      operation,
      inputs: [output, gradOutput],
      outputs: [dx],
      params: { count: output.size },
      workgroups: grid(output.size),
    });
    return [dx];
  },
});

/** The hyperbolic tangent, elementwise (MoEfication's router nonlinearity). */
export function tanh(x: Tensor): Tensor {
  return applyOp(tanhOp, [x], undefined);
}
