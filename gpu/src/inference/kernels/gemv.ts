import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../ops/kernel.ts';
import { grid } from '../../ops/wgsl.ts';
import { LANE_WORKGROUP } from './kernel-target.ts';
import type { KernelTarget } from './kernel-target.ts';
import {
  hasSubgroups,
  rowReductionDirectives,
  rowReductionMain,
  rowsPerWorkgroup,
} from './row-reduction.ts';

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

/** Rows of W each invocation of the CPU kernel computes. */
const ROWS_PER_INVOCATION = 4;

/** Entry of the row-streaming kernels: this invocation's `first` row and the row `stride` in vec4s. */
const ROW_STREAM_ENTRY = /* wgsl */ `@compute @workgroup_size(${LANE_WORKGROUP})
fn main(
  @builtin(global_invocation_id) invocation: vec3u,
  @builtin(num_workgroups) workgroupCount: vec3u,
) {
  let first = (invocation.x + invocation.y * workgroupCount.x * ${LANE_WORKGROUP}u) * ${ROWS_PER_INVOCATION}u;
  if (first >= params.outputs) { return; }
  let stride = params.inputs / 4u;`;

/**
 * The same product for CPU adapters (lavapipe): each invocation streams ROWS_PER_INVOCATION whole
 * rows as vec4s. On a CPU an invocation is a SIMD lane and long sequential reads per lane beat
 * cross-lane reductions (measured about 1.5-3x the subgroup kernel at decode shapes); on a GPU the
 * few invocations this launches would idle it, so GPUs take the subgroup kernel.
 */
function rowStreamDefinition(tokens: number): KernelDefinition {
  const rows = Array.from({ length: ROWS_PER_INVOCATION }, (_, r) => r);
  const tokenIndices = Array.from({ length: tokens }, (_, t) => t);
  const pairs = rows.flatMap((r) => tokenIndices.map((t) => ({ r, t })));
  return {
    name: `inference gemv x${tokens} row streams`,
    params: { inputs: 'u32', outputs: 'u32', hasBias: 'u32', accumulate: 'u32' },
    inputs: ['x', 'weight', 'bias'],
    outputs: ['y'],
    elementTypes: { x: 'vec4', weight: 'vec4' },
    main: /* wgsl */ `
${STORE_WGSL}
${ROW_STREAM_ENTRY}
  // Rows past the end re-read the last row; their sums are not stored.
  ${rows.map((r) => `let row${r} = min(first + ${r}u, params.outputs - 1u) * stride;`).join('\n  ')}
  ${pairs.map(({ r, t }) => `var sum${r}_${t} = vec4f(0.0);`).join(' ')}
  for (var i = 0u; i < stride; i++) {
    ${tokenIndices.map((t) => `let x${t} = x[${t}u * stride + i];`).join(' ')}
    ${rows.map((r) => `let w${r} = vec4f(weight[row${r} + i]);`).join(' ')}
    ${pairs.map(({ r, t }) => `sum${r}_${t} += w${r} * x${t};`).join(' ')}
  }
  ${rows
    .map(
      (r) =>
        `if (first + ${r}u < params.outputs) { ${tokenIndices
          .map((t) => `store(${t}u, first + ${r}u, dot(sum${r}_${t}, vec4f(1.0)));`)
          .join(' ')} }`,
    )
    .join('\n  ')}
}`,
  };
}

/**
 * SwiGLU of a stacked gate-up weight [2f, d] for a few tokens on CPU adapters: y[t, n] =
 * silu(gate_n . x_t + bg) * (up_n . x_t + bu), gate row n and up row f + n streamed together,
 * so the [tokens, 2f] product is never stored.
 */
function swigluRowStreamDefinition(tokens: number): KernelDefinition {
  const rows = Array.from({ length: ROWS_PER_INVOCATION }, (_, r) => r);
  const tokenIndices = Array.from({ length: tokens }, (_, t) => t);
  const pairs = rows.flatMap((r) => tokenIndices.map((t) => ({ r, t })));
  return {
    name: `inference gate-up swiglu x${tokens} row streams`,
    params: { inputs: 'u32', outputs: 'u32', hasBias: 'u32' },
    inputs: ['x', 'weight', 'bias'],
    outputs: ['y'],
    elementTypes: { x: 'vec4', weight: 'vec4' },
    main: /* wgsl */ `
fn swiglu(gateSum: vec4f, upSum: vec4f, neuron: u32) -> f32 {
  var gate = dot(gateSum, vec4f(1.0));
  var up = dot(upSum, vec4f(1.0));
  if (params.hasBias == 1u) {
    gate += bias[neuron];
    up += bias[params.outputs + neuron];
  }
  return gate / (1.0 + exp(-gate)) * up;
}

${ROW_STREAM_ENTRY}
  ${rows.map((r) => `let gateRow${r} = min(first + ${r}u, params.outputs - 1u) * stride;`).join('\n  ')}
  let upOffset = params.outputs * stride;
  ${pairs.map(({ r, t }) => `var gate${r}_${t} = vec4f(0.0); var up${r}_${t} = vec4f(0.0);`).join('\n  ')}
  for (var i = 0u; i < stride; i++) {
    ${tokenIndices.map((t) => `let x${t} = x[${t}u * stride + i];`).join(' ')}
    ${rows.map((r) => `let g${r} = vec4f(weight[gateRow${r} + i]); let u${r} = vec4f(weight[upOffset + gateRow${r} + i]);`).join('\n    ')}
    ${pairs.map(({ r, t }) => `gate${r}_${t} += g${r} * x${t}; up${r}_${t} += u${r} * x${t};`).join('\n    ')}
  }
  ${rows
    .map(
      (r) =>
        `if (first + ${r}u < params.outputs) { ${tokenIndices
          .map(
            (t) =>
              `y[${t}u * params.outputs + first + ${r}u] = swiglu(gate${r}_${t}, up${r}_${t}, first + ${r}u);`,
          )
          .join(' ')} }`,
    )
    .join('\n  ')}
}`,
  };
}

/** Whether swigluGemv serves these tokens and width on this kernel family. */
export function fusesSwiglu(target: KernelTarget, tokens: number, inputs: number): boolean {
  return target === 'cpu' && tokens <= GEMV_MAX_TOKENS && inputs % 4 === 0;
}

const swigluDefinitions = new Map<number, KernelDefinition>();

/** y = silu(x Wg^T + bg) * (x Wu^T + bu) with W = [Wg; Wu] stacked; see fusesSwiglu. */
export function swigluGemv(
  engine: Engine,
  x: Tensor,
  gateUp: Tensor,
  bias: Tensor,
  hasBias: boolean,
  y: Tensor,
  tokens: number,
): void {
  const [stacked, inputs] = gateUp.shape as [number, number];
  const outputs = stacked / 2;
  let definition = swigluDefinitions.get(tokens);
  if (!definition) swigluDefinitions.set(tokens, (definition = swigluRowStreamDefinition(tokens)));
  runKernel(engine, definition, {
    operation: `gate-up swiglu ${tokens} x ${inputs} -> ${outputs}`,
    inputs: [x, gateUp, bias],
    outputs: [y],
    params: { inputs, outputs, hasBias: hasBias ? 1 : 0 },
    workgroups: grid(Math.ceil(outputs / ROWS_PER_INVOCATION), LANE_WORKGROUP),
  });
}

const STORE_WGSL = /* wgsl */ `
fn store(t: u32, o: u32, total: f32) {
  var value = total;
  if (params.hasBias == 1u) { value += bias[o]; }
  let at = t * params.outputs + o;
  if (params.accumulate == 1u) { y[at] += value; } else { y[at] = value; }
}`;

const definitions = new Map<string, KernelDefinition>();

export function gemv(
  engine: Engine,
  target: KernelTarget,
  x: Tensor,
  weight: Tensor,
  bias: Tensor,
  y: Tensor,
  tokens: number,
  params: GemvParams,
): void {
  const subgroups = hasSubgroups(engine);
  const vectors = params.inputs % 4 === 0;
  const streams = vectors && target === 'cpu';
  if (tokens > GEMV_MAX_TOKENS)
    throw new Error(`gemv: ${tokens} tokens; at most ${GEMV_MAX_TOKENS}`);
  const key = `${tokens} ${subgroups} ${vectors} ${streams}`;
  let definition = definitions.get(key);
  if (!definition) {
    definition = streams ? rowStreamDefinition(tokens) : gemvDefinition(tokens, subgroups, vectors);
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
    workgroups: streams
      ? grid(Math.ceil(params.outputs / ROWS_PER_INVOCATION), LANE_WORKGROUP)
      : grid(params.outputs, rowsPerWorkgroup(subgroups)),
  });
}
