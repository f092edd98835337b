/**
 * Fuses batchMatmul (x W^T) with add (the bias, and the residual when accumulating).
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid } from '../../kernel/wgsl.ts';
import {
  hasSubgroups,
  rowReductionDirectives,
  rowReductionMain,
  rowsPerWorkgroup,
} from '../../kernel/row-reduction.ts';

/** Token counts up to this take the matrix-vector kernel; more take the tiled matmul. */
export const GEMV_MAX_TOKENS = 8;

export interface GemvParams {
  inputs: number;
  outputs: number;
  hasBias: boolean;
  /** y += x W^T instead of y = x W^T (a residual connection). */
  accumulate: boolean;
}

/**
 * y[t, o] = sum_i x[t, i] W[o, i] (+ bias[o]) for a few tokens, W in Hugging Face's [out, in]
 * layout and read once for all of them (decoding is bound by reading the weights).
 */
function gemvDefinition(tokens: number, subgroups: boolean, vectors: boolean): KernelDefinition {
  const each = (line: (t: number) => string, separator = '\n    ') =>
    Array.from({ length: tokens }, (_, t) => line(t)).join(separator);
  // With inputs a multiple of 4, rows are read as vec4s: a quarter of the loop iterations.
  const width = vectors ? 'params.inputs / 4u' : 'params.inputs';
  const product = vectors ? 'dot(w, x[T * stride + i])' : 'w * x[T * stride + i]';
  return {
    name: `inference gemv x${tokens}${subgroups ? ' subgroups' : ''}${vectors ? ' vec4' : ''}`,
    params: { inputs: 'u32', outputs: 'u32', hasBias: 'u32', accumulate: 'u32' },
    inputs: ['x', 'weight', 'bias'],
    outputs: ['y'],
    directives: rowReductionDirectives(subgroups),
    ...(vectors ? { elementTypes: { x: 'vec4', weight: 'vec4' } } : {}),
    main: rowReductionMain(
      subgroups,
      `
    if (row >= params.outputs) { break; }
    let stride = ${width};
    let base = row * stride;
    ${each((t) => `var sum${t} = 0.0;`, ' ')}
    for (var i = lane; i < stride; i += width) {
      let w = ${vectors ? 'vec4f' : 'f32'}(weight[base + i]);
      ${each((t) => `sum${t} += ${product.replace('T', `${t}u`)};`, '\n      ')}
    }
    ${each((t) => `let total${t} = rowSum(sum${t});`)}
    if (lane == 0u) {
      ${each((t) => `store(${t}u, row, total${t});`, '\n      ')}
    }`,
      STORE_WGSL,
    ),
  };
}

const STORE_WGSL = /* wgsl */ `
fn store(t: u32, o: u32, total: f32) {
  var value = total;
  if (params.hasBias == 1u) { value += bias[o]; }
  let at = t * params.outputs + o;
  if (params.accumulate == 1u) { y[at] += value; } else { y[at] = value; }
}`;

const definitions = new Map<string, KernelDefinition>();

/**
 * y = x W^T (+ bias), or y += that, for a few tokens with the subgroup kernel: the GPU family's,
 * and the CPU family's where rows are not whole vec4s (see row-streams.ts for the rest).
 */
export function gemv(
  engine: Engine,
  x: Tensor,
  weight: Tensor,
  bias: Tensor,
  y: Tensor,
  tokens: number,
  params: GemvParams,
): void {
  const subgroups = hasSubgroups(engine);
  const vectors = params.inputs % 4 === 0;
  if (tokens > GEMV_MAX_TOKENS)
    throw new Error(`gemv: ${tokens} tokens; at most ${GEMV_MAX_TOKENS}`);
  const key = `${tokens} ${subgroups} ${vectors}`;
  let definition = definitions.get(key);
  if (!definition) {
    definition = gemvDefinition(tokens, subgroups, vectors);
    definitions.set(key, definition);
  }
  runKernel(engine, definition, {
    operation: `linear ${tokens} x ${params.inputs} -> ${params.outputs}`,
    inputs: [x, weight, bias],
    outputs: [y],
    params: {
      inputs: params.inputs,
      outputs: params.outputs,
      hasBias: params.hasBias ? 1 : 0,
      accumulate: params.accumulate ? 1 : 0,
    },
    workgroups: grid(params.outputs, rowsPerWorkgroup(subgroups)),
  });
}
