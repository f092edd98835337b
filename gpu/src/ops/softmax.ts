import { applyOp } from './apply.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, checkRank, describeCall } from '../kernel/checks.ts';
import type { KernelDefinition } from '../kernel/kernel.ts';
import { defineOp } from './registry.ts';
import { encodeRowwise, ROW_LOG_SUM_EXP_WGSL } from './rowwise.ts';
import { perRow } from '../kernel/wgsl.ts';

export interface SoftmaxOptions {
  /**
   * Attention's causal mask: x is [..., queries, keys] with the queries the last `queries` of the
   * keys' positions; query i sees keys up to keys - queries + i and gives the rest probability 0.
   */
  causal?: boolean;
}

/** With `causal` 0 every column is visible. */
const softmaxKernel: KernelDefinition = {
  name: 'softmax',
  params: { rows: 'u32', columns: 'u32', queries: 'u32', causal: 'u32' },
  inputs: ['x'],
  outputs: ['y'],
  main: perRow(`
  let visible = select(
    params.columns,
    row % params.queries + params.columns - params.queries + 1u,
    params.causal != 0u,
  );
${ROW_LOG_SUM_EXP_WGSL}
  for (var c = lane; c < params.columns; c += LANES) {
    y[base + c] = select(0.0, exp(x[base + c] - logSumExp), c < visible);
  }`),
};

/** dx = y * (dy - sum(dy * y)) per row (masked entries have y = 0, so dx = 0). */
const softmaxBackwardKernel: KernelDefinition = {
  name: 'softmax backward',
  params: { rows: 'u32', columns: 'u32' },
  inputs: ['y', 'dy'],
  outputs: ['dx'],
  main: perRow(`
  let base = row * params.columns;
  var local = 0.0;
  for (var c = lane; c < params.columns; c += LANES) { local += dy[base + c] * y[base + c]; }
  let dot = workgroupSum(local, lane);
  for (var c = lane; c < params.columns; c += LANES) {
    dx[base + c] = y[base + c] * (dy[base + c] - dot);
  }`),
};

const softmaxOp = defineOp<boolean>({
  name: 'softmax',
  forward([x], causal) {
    const call = describeCall('softmax', [x!], causal ? 'causal' : '');
    checkDtype(call, 'x', x!, ['f32']);
    checkRank(call, 'x', x!, causal ? 2 : 1);
    const queries = causal ? x!.shape.at(-2)! : 1;
    if (causal && queries > x!.shape.at(-1)!) {
      throw new Error(`${call}: a causal softmax needs no more queries than keys`);
    }
    return { output: encodeRowwise(softmaxKernel, [x!], call, { queries, causal: +causal }) };
  },
  backward({ output, gradOutput }) {
    const call = describeCall('softmax backward', [output, gradOutput]);
    return [encodeRowwise(softmaxBackwardKernel, [output, gradOutput], call)];
  },
});

/** exp(x) normalised over the last dimension. */
export function softmax(x: Tensor, { causal = false }: SoftmaxOptions = {}): Tensor {
  return applyOp(softmaxOp, [x], causal);
}
