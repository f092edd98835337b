/**
 * Fuses scale and the causal softmax (softmax(x * factor, causal)) with one row per invocation:
 * the softmax op's row per 64-lane workgroup reduces through workgroup memory and barriers, which
 * on lavapipe made attention's softmax as slow as the products around it.
 * Checked against float64 and those ops in gpu/test/ops/fused/.
 */
import { applyOp } from '../apply.ts';
import { defineOp } from '../registry.ts';
import { checkDtype, checkRank, describeCall, rowsAndColumns } from '../../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid, perElement } from '../../kernel/wgsl.ts';
import { allocateTensor } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';

const PARAMS = { count: 'u32', columns: 'u32', queries: 'u32', factor: 'f32' } as const;

/** Row `index` sees its first `visible` columns: query i of `queries` sees keys up to keys - queries + i. */
const VISIBLE_WGSL = /* wgsl */ `
  let base = index * params.columns;
  let visible = index % params.queries + params.columns - params.queries + 1u;`;

const forwardKernel: KernelDefinition = {
  name: 'scaled causal softmax rows',
  params: PARAMS,
  inputs: ['x'],
  outputs: ['y'],
  main: perElement(`${VISIBLE_WGSL}
  var rowMax = bitcast<f32>(0xff7fffffu); // the lowest finite f32
  for (var c = 0u; c < visible; c++) { rowMax = max(rowMax, x[base + c] * params.factor); }
  var total = 0.0;
  for (var c = 0u; c < visible; c++) { total += exp(x[base + c] * params.factor - rowMax); }
  let inverse = 1.0 / total;
  for (var c = 0u; c < params.columns; c++) {
    y[base + c] = select(0.0, exp(x[base + c] * params.factor - rowMax) * inverse, c < visible);
  }`),
};

/** dx = factor * y * (dy - sum(dy * y)) per row (masked entries have y = 0, so dx = 0). */
const backwardKernel: KernelDefinition = {
  name: 'scaled causal softmax rows backward',
  params: PARAMS,
  inputs: ['y', 'dy'],
  outputs: ['dx'],
  main: perElement(`${VISIBLE_WGSL}
  var dot = 0.0;
  for (var c = 0u; c < visible; c++) { dot += dy[base + c] * y[base + c]; }
  for (var c = 0u; c < params.columns; c++) {
    dx[base + c] = params.factor * y[base + c] * (dy[base + c] - dot);
  }`),
};

function encode(kernel: KernelDefinition, inputs: Tensor[], factor: number, operation: string) {
  const { rows, columns } = rowsAndColumns(inputs[0]!.shape);
  const queries = inputs[0]!.shape.at(-2)!;
  const output = allocateTensor(inputs[0]!.engine, operation, inputs[0]!.shape, 'f32');
  runKernel(output.engine, kernel, {
    operation,
    inputs,
    outputs: [output],
    params: { count: rows, columns, queries, factor },
    workgroups: grid(rows),
  });
  return output;
}

const scaledCausalSoftmaxOp = defineOp<number>({
  name: 'scaledCausalSoftmax',
  forward([x], factor) {
    const call = describeCall('scaledCausalSoftmax', [x!], `factor ${factor}`);
    checkDtype(call, 'x', x!, ['f32']);
    checkRank(call, 'x', x!, 2);
    if (!Number.isFinite(factor)) throw new Error(`${call}: the factor must be finite`);
    if (x!.shape.at(-2)! > x!.shape.at(-1)!) {
      throw new Error(`${call}: a causal softmax needs no more queries than keys`);
    }
    return { output: encode(forwardKernel, [x!], factor, call) };
  },
  backward({ output, gradOutput, attrs: factor }) {
    const call = describeCall('scaledCausalSoftmax backward', [output, gradOutput]);
    return [encode(backwardKernel, [output, gradOutput], factor, call)];
  },
});

/**
 * softmax(x * factor) over the last dimension with attention's causal mask: x is
 * [..., queries, keys], the queries the last `queries` of the keys' positions.
 */
export function scaledCausalSoftmax(x: Tensor, factor: number): Tensor {
  return applyOp(scaledCausalSoftmaxOp, [x], factor);
}
