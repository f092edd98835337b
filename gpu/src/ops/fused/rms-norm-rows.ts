/**
 * RMSNorm with one row per invocation, forward and backward: the rmsNorm op's row per 64-lane
 * workgroup reduces through workgroup memory and barriers, slow on lavapipe (as the causal
 * softmax was; see scaled-causal-softmax.ts). The same maths and arguments as `rmsNorm`.
 * Checked against float64 and that op in gpu/test/ops/fused/.
 */
import { applyOp } from '../apply.ts';
import { defineOp } from '../registry.ts';
import { checkDtype, checkRank, describeCall, rowsAndColumns } from '../../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid, perElement } from '../../kernel/wgsl.ts';
import { allocateTensor } from '../../tensor/create.ts';
import { formatShape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';

/** y = x * rstd * weight with rstd = 1 / sqrt(mean(x^2) + eps), kept for backward. */
const forwardKernel: KernelDefinition = {
  name: 'rmsNorm rows',
  params: { count: 'u32', columns: 'u32', eps: 'f32' },
  inputs: ['x', 'weight'],
  outputs: ['y', 'rstd'],
  main: perElement(`
  let base = index * params.columns;
  var squares = 0.0;
  for (var c = 0u; c < params.columns; c++) { squares += x[base + c] * x[base + c]; }
  let r = inverseSqrt(squares / f32(params.columns) + params.eps);
  for (var c = 0u; c < params.columns; c++) { y[base + c] = x[base + c] * r * weight[c]; }
  rstd[index] = r;`),
};

/** With xhat = x * rstd and g = dy * weight: dx = rstd * (g - xhat * mean(g * xhat)). */
const inputGradKernel: KernelDefinition = {
  name: 'rmsNorm rows backward input',
  params: { count: 'u32', columns: 'u32' },
  inputs: ['x', 'weight', 'rstd', 'dy'],
  outputs: ['dx'],
  main: perElement(`
  let base = index * params.columns;
  let r = rstd[index];
  var dot = 0.0;
  for (var c = 0u; c < params.columns; c++) { dot += dy[base + c] * weight[c] * x[base + c]; }
  let meanDot = dot * r / f32(params.columns);
  for (var c = 0u; c < params.columns; c++) {
    dx[base + c] = r * (dy[base + c] * weight[c] - x[base + c] * r * meanDot);
  }`),
};

/** dweight[c] = sum over rows of dy * xhat: one invocation per column. */
const weightGradKernel: KernelDefinition = {
  name: 'rmsNorm rows backward weight',
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

const rmsNormRowsOp = defineOp<number>({
  name: 'rmsNormRows',
  forward([x, weight], eps) {
    const call = describeCall('rmsNormRows', [x!, weight!], `eps ${eps}`);
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
    runKernel(x!.engine, forwardKernel, {
      operation: call,
      inputs: [x!, weight!],
      outputs: [y, rstd],
      params: { count: rows, columns, eps },
      workgroups: grid(rows),
    });
    return { output: y, saved: [rstd] };
  },
  backward({ inputs: [x, weight], saved: [rstd], gradOutput, needsGrad }) {
    const operation = describeCall('rmsNormRows backward', [x!, weight!, gradOutput]);
    const { rows, columns } = rowsAndColumns(x!.shape);
    let dx: Tensor | undefined;
    if (needsGrad[0]) {
      dx = allocateTensor(x!.engine, operation, x!.shape, 'f32');
      runKernel(x!.engine, inputGradKernel, {
        operation,
        inputs: [x!, weight!, rstd!, gradOutput],
        outputs: [dx],
        params: { count: rows, columns },
        workgroups: grid(rows),
      });
    }
    let dWeight: Tensor | undefined;
    if (needsGrad[1]) {
      dWeight = allocateTensor(x!.engine, operation, weight!.shape, 'f32');
      runKernel(x!.engine, weightGradKernel, {
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

/** x / sqrt(mean(x^2) + eps) * weight over the last dimension, a row per invocation. */
export function rmsNormRows(x: Tensor, weight: Tensor, eps: number): Tensor {
  return applyOp(rmsNormRowsOp, [x, weight], eps);
}
