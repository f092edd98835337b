import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, checkRank, describeCall, rowsAndColumns } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { grid, perElement, perRow } from '../kernel/wgsl.ts';

export interface RmsNormOptions {
  /** Added to the mean square before the square root (default 1e-5, Llama's). */
  eps?: number;
}

/** y = x * rstd * weight with rstd = 1 / sqrt(mean(x^2) + eps), kept for backward. */
const rmsNormKernel: KernelDefinition = {
  name: 'rmsNorm',
  params: { rows: 'u32', columns: 'u32', eps: 'f32' },
  inputs: ['x', 'weight'],
  outputs: ['y', 'rstd'],
  main: perRow(`
  let base = row * params.columns;
  var local = 0.0;
  for (var c = lane; c < params.columns; c += LANES) { local += x[base + c] * x[base + c]; }
  let r = inverseSqrt(workgroupSum(local, lane) / f32(params.columns) + params.eps);
  for (var c = lane; c < params.columns; c += LANES) { y[base + c] = x[base + c] * r * weight[c]; }
  if (lane == 0u) { rstd[row] = r; }`),
};

/** With xhat = x * rstd and g = dy * weight: dx = rstd * (g - xhat * mean(g * xhat)). */
const rmsNormInputGradKernel: KernelDefinition = {
  name: 'rmsNorm backward input',
  params: { rows: 'u32', columns: 'u32' },
  inputs: ['x', 'weight', 'rstd', 'dy'],
  outputs: ['dx'],
  main: perRow(`
  let base = row * params.columns;
  let r = rstd[row];
  var local = 0.0;
  for (var c = lane; c < params.columns; c += LANES) {
    local += dy[base + c] * weight[c] * x[base + c] * r;
  }
  let meanDot = workgroupSum(local, lane) / f32(params.columns);
  for (var c = lane; c < params.columns; c += LANES) {
    dx[base + c] = r * (dy[base + c] * weight[c] - x[base + c] * r * meanDot);
  }`),
};

/** dweight[c] = sum over rows of dy * xhat: one invocation per column. */
const rmsNormWeightGradKernel: KernelDefinition = {
  name: 'rmsNorm backward weight',
  params: { count: 'u32', rows: 'u32' },
  inputs: ['x', 'rstd', 'dy'],
  outputs: ['dWeight'],
  main: perElement(`
  var total = 0.0;
  for (var r = 0u; r < params.rows; r++) {
    let at = r * params.count + index;
    total += dy[at] * x[at] * rstd[r];
  }
  dWeight[index] = total;`),
};

const rmsNormOp = defineOp<number>({
  name: 'rmsNorm',
  forward([x, weight], eps) {
    const call = describeCall('rmsNorm', [x!, weight!], `eps ${eps}`);
    checkDtype(call, 'x', x!, ['f32']);
    checkDtype(call, 'weight', weight!, ['f32']);
    checkRank(call, 'x', x!, 1);
    const { rows, columns } = rowsAndColumns(x!.shape);
    if (weight!.shape.length !== 1 || weight!.size !== columns) {
      throw new Error(
        `${call}: weight must be [${columns}] (the last dimension of x), ` +
          `not ${formatShape(weight!.shape)}`,
      );
    }
    const y = allocateTensor(x!.engine, call, x!.shape, 'f32');
    const rstd = allocateTensor(x!.engine, call, [rows], 'f32');
    runKernel(x!.engine, rmsNormKernel, {
      operation: call,
      inputs: [x!, weight!],
      outputs: [y, rstd],
      params: { rows, columns, eps },
      workgroups: grid(rows, 1),
    });
    return { output: y, saved: [rstd] };
  },
  backward({ inputs: [x, weight], saved: [rstd], gradOutput, needsGrad }) {
    const operation = describeCall('rmsNorm backward', [x!, weight!, gradOutput]);
    const { rows, columns } = rowsAndColumns(x!.shape);
    let dx: Tensor | undefined;
    if (needsGrad[0]) {
      dx = allocateTensor(x!.engine, operation, x!.shape, 'f32');
      runKernel(x!.engine, rmsNormInputGradKernel, {
        operation,
        inputs: [x!, weight!, rstd!, gradOutput],
        outputs: [dx],
        params: { rows, columns },
        workgroups: grid(rows, 1),
      });
    }
    let dWeight: Tensor | undefined;
    if (needsGrad[1]) {
      dWeight = allocateTensor(x!.engine, operation, weight!.shape, 'f32');
      runKernel(x!.engine, rmsNormWeightGradKernel, {
        operation,
        inputs: [x!, rstd!, gradOutput],
        outputs: [dWeight],
        params: { count: columns, rows },
        workgroups: grid(columns),
      });
    }
    return [dx, dWeight];
  },
});

/** x / sqrt(mean(x^2) + eps) * weight over the last dimension. */
export function rmsNorm(x: Tensor, weight: Tensor, { eps = 1e-5 }: RmsNormOptions = {}): Tensor {
  return applyOp(rmsNormOp, [x, weight], eps);
}
