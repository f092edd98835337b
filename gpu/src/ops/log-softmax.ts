import { applyOp } from './apply.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, checkRank, describeCall } from '../kernel/checks.ts';
import type { KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { encodeRowwise, ROW_LOG_SUM_EXP_WGSL } from './rowwise.ts';
import { perRow } from '../kernel/wgsl.ts';

const logSoftmaxKernel: KernelDefinition = {
  name: 'log-softmax',
  params: { rows: 'u32', columns: 'u32' },
  inputs: ['x'],
  outputs: ['y'],
  main: perRow(`
  let visible = params.columns;
${ROW_LOG_SUM_EXP_WGSL}
  for (var c = lane; c < params.columns; c += LANES) { y[base + c] = x[base + c] - logSumExp; }`),
};

/** dx = dy - exp(y) * sum(dy) per row. */
const logSoftmaxBackwardKernel: KernelDefinition = {
  name: 'log-softmax backward',
  params: { rows: 'u32', columns: 'u32' },
  inputs: ['y', 'dy'],
  outputs: ['dx'],
  main: perRow(`
  let base = row * params.columns;
  var local = 0.0;
  for (var c = lane; c < params.columns; c += LANES) { local += dy[base + c]; }
  let total = workgroupSum(local, lane);
  for (var c = lane; c < params.columns; c += LANES) {
    dx[base + c] = dy[base + c] - exp(y[base + c]) * total;
  }`),
};

const logSoftmaxOp = defineOp({
  name: 'logSoftmax',
  forward([x]) {
    const call = describeCall('logSoftmax', [x!]);
    checkDtype(call, 'x', x!, ['f32']);
    checkRank(call, 'x', x!, 1);
    return { output: encodeRowwise(logSoftmaxKernel, [x!], call) };
  },
  backward({ output, gradOutput }) {
    const call = describeCall('logSoftmax backward', [output, gradOutput]);
    return [encodeRowwise(logSoftmaxBackwardKernel, [output, gradOutput], call)];
  },
});

/** log(softmax(x)) over the last dimension, computed stably. */
export function logSoftmax(x: Tensor): Tensor {
  return applyOp(logSoftmaxOp, [x], undefined);
}
