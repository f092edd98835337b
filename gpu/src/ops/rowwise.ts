import { allocateTensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { rowsAndColumns } from '../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../kernel/kernel.ts';
import { grid } from '../kernel/wgsl.ts';

/**
 * Lanes stride over the first `visible` columns of the row (a `let` the kernel defines): the max,
 * then the sum of exponentials, giving `logSumExp`.
 */
export const ROW_LOG_SUM_EXP_WGSL = /* wgsl */ `
  let base = row * params.columns;
  var localMax = bitcast<f32>(0xff7fffffu); // the lowest finite f32
  for (var c = lane; c < visible; c += LANES) { localMax = max(localMax, x[base + c]); }
  let rowMax = workgroupMax(localMax, lane);
  var localSum = 0.0;
  for (var c = lane; c < visible; c += LANES) { localSum += exp(x[base + c] - rowMax); }
  let logSumExp = rowMax + log(workgroupSum(localSum, lane));`;

/** Runs a row-wise kernel over `inputs[0]`'s rows, writing a tensor of its shape. */
export function encodeRowwise(
  kernel: KernelDefinition,
  inputs: readonly Tensor[],
  operation: string,
  extraParams: Readonly<Record<string, number>> = {},
): Tensor {
  const { rows, columns } = rowsAndColumns(inputs[0]!.shape);
  const y = allocateTensor(inputs[0]!.engine, operation, inputs[0]!.shape, 'f32');
  runKernel(y.engine, kernel, {
    operation,
    inputs,
    outputs: [y],
    params: { rows, columns, ...extraParams },
    workgroups: grid(rows, 1),
  });
  return y;
}
