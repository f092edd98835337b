import { describeCall } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { grid, perElement, perRow } from '../kernel/wgsl.ts';
import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** squares[slot] = sum of grad^2: one workgroup. */
const sumOfSquaresKernel: KernelDefinition = {
  name: 'clipGradNorm sum of squares',
  params: { rows: 'u32', count: 'u32', slot: 'u32' },
  inputs: ['grad'],
  outputs: ['squares'],
  main: perRow(`
  var local = 0.0;
  for (var i = lane; i < params.count; i += LANES) { local += grad[i] * grad[i]; }
  let total = workgroupSum(local, lane);
  if (lane == 0u) { squares[params.slot] = total; }`),
};

/** norm = sqrt(sum of the squares); factor = min(1, maxNorm / (norm + 1e-6)), PyTorch's rule. */
const normKernel: KernelDefinition = {
  name: 'clipGradNorm norm',
  params: { rows: 'u32', count: 'u32', maxNorm: 'f32' },
  inputs: ['squares'],
  outputs: ['norm', 'factor'],
  main: perRow(`
  var local = 0.0;
  for (var i = lane; i < params.count; i += LANES) { local += squares[i]; }
  let total = sqrt(workgroupSum(local, lane));
  if (lane == 0u) {
    norm[0] = total;
    factor[0] = min(1.0, params.maxNorm / (total + 1e-6));
  }`),
};

const scaleInPlaceKernel: KernelDefinition = {
  name: 'clipGradNorm scale',
  params: { count: 'u32' },
  inputs: ['factor'],
  outputs: ['grad'],
  main: perElement('  grad[index] *= factor[0];'),
};

/**
 * Scales every gradient in place so that their global L2 norm is at most `maxNorm`, all on the
 * GPU (nothing is read back). Returns the norm before clipping, a tensor of shape [] that the
 * caller owns (read it to log it).
 */
export function clipGradNorm(grads: readonly Tensor[], maxNorm: number): Tensor {
  if (grads.length === 0) throw new Error('clipGradNorm: no gradients');
  const call = describeCall('clipGradNorm', grads, `maxNorm ${maxNorm}`);
  if (!(maxNorm > 0)) throw new Error(`${call}: maxNorm must be positive`);
  const engine = grads[0]!.engine;
  const squares = allocateTensor(engine, call, [grads.length], 'f32');
  grads.forEach((grad, slot) => {
    runKernel(engine, sumOfSquaresKernel, {
      operation: call,
      inputs: [grad],
      outputs: [squares],
      params: { rows: 1, count: grad.size, slot },
      workgroups: [1],
    });
  });
  const norm = allocateTensor(engine, call, [], 'f32');
  const factor = allocateTensor(engine, call, [], 'f32');
  runKernel(engine, normKernel, {
    operation: call,
    inputs: [squares],
    outputs: [norm, factor],
    params: { rows: 1, count: grads.length, maxNorm },
    workgroups: [1],
  });
  squares.dispose();
  for (const grad of grads) {
    runKernel(engine, scaleInPlaceKernel, {
      operation: call,
      inputs: [factor],
      outputs: [grad],
      params: { count: grad.size },
      workgroups: grid(grad.size),
    });
  }
  factor.dispose();
  return norm;
}
