import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition, type ParamType } from '../../ops/kernel.ts';
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
 * WGSL pieces of a row-streaming kernel for `tokens` tokens: the loop reads each token's input as
 * x{t}. With `normed`, the input is RMS-normalised on the way in (Hugging Face's RMSNorm, its
 * weight in `norm`): each x{t} is scaled by the norm weight, its squares summed in the same pass,
 * and products are multiplied by scale{t} = 1 / sqrt(mean(x^2) + eps) at the end. Every invocation
 * sums the squares again, which costs a vec4 load per iteration (the same address in every lane,
 * so one load) against a dispatch and a round trip through memory for a separate norm kernel.
 */
function streamedInputs(tokens: number, normed: boolean) {
  const indices = Array.from({ length: tokens }, (_, t) => t);
  const lines = (line: (t: number) => string) => indices.map(line).join('\n    ');
  return {
    indices,
    declare: normed ? lines((t) => `var squares${t} = vec4f(0.0);`) : '',
    read: normed
      ? [
          'let g = vec4f(norm[i]);',
          lines((t) => `let raw${t} = x[${t}u * stride + i]; squares${t} += raw${t} * raw${t};`),
          lines((t) => `let x${t} = raw${t} * g;`),
        ].join('\n    ')
      : lines((t) => `let x${t} = x[${t}u * stride + i];`),
    scales: normed
      ? lines(
          (t) =>
            `let scale${t} = inverseSqrt(dot(squares${t}, vec4f(1.0)) / f32(params.inputs) + params.eps);`,
        )
      : lines((t) => `let scale${t} = 1.0;`),
  };
}

/** Bindings and parameters a row-streaming kernel adds when it normalises its input. */
function normBindings(normed: boolean): {
  inputs: string[];
  params: Record<string, ParamType>;
  elementTypes: Record<string, 'vec4'>;
} {
  const vectors: Record<string, 'vec4'> = { x: 'vec4', weight: 'vec4' };
  if (!normed) return { inputs: ['x', 'weight', 'bias'], params: {}, elementTypes: vectors };
  return {
    inputs: ['x', 'weight', 'bias', 'norm'],
    params: { eps: 'f32' },
    elementTypes: { ...vectors, norm: 'vec4' },
  };
}

/**
 * The same product for CPU adapters (lavapipe): each invocation streams ROWS_PER_INVOCATION whole
 * rows as vec4s. On a CPU an invocation is a SIMD lane and long sequential reads per lane beat
 * cross-lane reductions (measured about 1.5-3x the subgroup kernel at decode shapes); on a GPU the
 * few invocations this launches would idle it, so GPUs take the subgroup kernel.
 */
function rowStreamDefinition(tokens: number, normed: boolean): KernelDefinition {
  const rows = Array.from({ length: ROWS_PER_INVOCATION }, (_, r) => r);
  const input = streamedInputs(tokens, normed);
  const pairs = rows.flatMap((r) => input.indices.map((t) => ({ r, t })));
  const bindings = normBindings(normed);
  return {
    name: `inference gemv x${tokens} row streams${normed ? ' normed' : ''}`,
    params: {
      inputs: 'u32',
      outputs: 'u32',
      hasBias: 'u32',
      accumulate: 'u32',
      ...bindings.params,
    },
    inputs: bindings.inputs,
    outputs: ['y'],
    elementTypes: bindings.elementTypes,
    main: /* wgsl */ `
${STORE_WGSL}
${ROW_STREAM_ENTRY}
  // Rows past the end re-read the last row; their sums are not stored.
  ${rows.map((r) => `let row${r} = min(first + ${r}u, params.outputs - 1u) * stride;`).join('\n  ')}
  ${pairs.map(({ r, t }) => `var sum${r}_${t} = vec4f(0.0);`).join(' ')}
  ${input.declare}
  for (var i = 0u; i < stride; i++) {
    ${input.read}
    ${rows.map((r) => `let w${r} = vec4f(weight[row${r} + i]);`).join(' ')}
    ${pairs.map(({ r, t }) => `sum${r}_${t} += w${r} * x${t};`).join(' ')}
  }
  ${input.scales}
  ${rows
    .map(
      (r) =>
        `if (first + ${r}u < params.outputs) { ${input.indices
          .map((t) => `store(${t}u, first + ${r}u, dot(sum${r}_${t}, vec4f(1.0)) * scale${t});`)
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
function swigluRowStreamDefinition(tokens: number, normed: boolean): KernelDefinition {
  const rows = Array.from({ length: ROWS_PER_INVOCATION }, (_, r) => r);
  const input = streamedInputs(tokens, normed);
  const pairs = rows.flatMap((r) => input.indices.map((t) => ({ r, t })));
  const bindings = normBindings(normed);
  return {
    name: `inference gate-up swiglu x${tokens} row streams${normed ? ' normed' : ''}`,
    params: { inputs: 'u32', outputs: 'u32', hasBias: 'u32', ...bindings.params },
    inputs: bindings.inputs,
    outputs: ['y'],
    elementTypes: bindings.elementTypes,
    main: /* wgsl */ `
fn swiglu(gateSum: vec4f, upSum: vec4f, scale: f32, neuron: u32) -> f32 {
  var gate = dot(gateSum, vec4f(1.0)) * scale;
  var up = dot(upSum, vec4f(1.0)) * scale;
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
  ${input.declare}
  for (var i = 0u; i < stride; i++) {
    ${input.read}
    ${rows.map((r) => `let g${r} = vec4f(weight[gateRow${r} + i]); let u${r} = vec4f(weight[upOffset + gateRow${r} + i]);`).join('\n    ')}
    ${pairs.map(({ r, t }) => `gate${r}_${t} += g${r} * x${t}; up${r}_${t} += u${r} * x${t};`).join('\n    ')}
  }
  ${input.scales}
  ${rows
    .map(
      (r) =>
        `if (first + ${r}u < params.outputs) { ${input.indices
          .map(
            (t) =>
              `y[${t}u * params.outputs + first + ${r}u] = swiglu(gate${r}_${t}, up${r}_${t}, scale${t}, first + ${r}u);`,
          )
          .join(' ')} }`,
    )
    .join('\n  ')}
}`,
  };
}

/** Hugging Face's RMSNorm applied to a kernel's input on the way in: its weight and epsilon. */
export interface InputNorm {
  weight: Tensor;
  eps: number;
}

/**
 * Whether the row-streaming kernels serve these tokens and width on this kernel family: they
 * compute SwiGLU and an input RMSNorm in the same pass as the product.
 */
export function streamsRows(target: KernelTarget, tokens: number, inputs: number): boolean {
  return target === 'cpu' && tokens <= GEMV_MAX_TOKENS && inputs % 4 === 0;
}

const swigluDefinitions = new Map<string, KernelDefinition>();

/**
 * y = silu(n Wg^T + bg) * (n Wu^T + bu) with W = [Wg; Wu] stacked and n = x, or x normalised by
 * `norm`; see streamsRows.
 */
export function swigluGemv(
  engine: Engine,
  x: Tensor,
  gateUp: Tensor,
  bias: Tensor,
  hasBias: boolean,
  y: Tensor,
  tokens: number,
  norm: InputNorm | undefined,
): void {
  const [stacked, inputs] = gateUp.shape as [number, number];
  const outputs = stacked / 2;
  const key = `${tokens} ${norm !== undefined}`;
  let definition = swigluDefinitions.get(key);
  if (!definition) {
    definition = swigluRowStreamDefinition(tokens, norm !== undefined);
    swigluDefinitions.set(key, definition);
  }
  runKernel(engine, definition, {
    operation: `gate-up swiglu ${tokens} x ${inputs} -> ${outputs}${norm ? ' (normed)' : ''}`,
    inputs: norm ? [x, gateUp, bias, norm.weight] : [x, gateUp, bias],
    outputs: [y],
    params: { inputs, outputs, hasBias: hasBias ? 1 : 0, ...(norm ? { eps: norm.eps } : {}) },
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

/**
 * y = n W^T (+ bias), or y += that, for a few tokens, n = x or x normalised by `norm`. The norm is
 * fused only into the row-streaming kernels (see streamsRows); others refuse it.
 */
export function gemv(
  engine: Engine,
  target: KernelTarget,
  x: Tensor,
  weight: Tensor,
  bias: Tensor,
  y: Tensor,
  tokens: number,
  params: GemvParams,
  norm?: InputNorm,
): void {
  const subgroups = hasSubgroups(engine);
  const vectors = params.inputs % 4 === 0;
  const streams = streamsRows(target, tokens, params.inputs);
  if (tokens > GEMV_MAX_TOKENS)
    throw new Error(`gemv: ${tokens} tokens; at most ${GEMV_MAX_TOKENS}`);
  if (norm && !streams)
    throw new Error(`gemv: an input norm is fused only where streamsRows holds`);
  const key = `${tokens} ${subgroups} ${vectors} ${streams} ${norm !== undefined}`;
  let definition = definitions.get(key);
  if (!definition) {
    definition = streams
      ? rowStreamDefinition(tokens, norm !== undefined)
      : gemvDefinition(tokens, subgroups, vectors);
    definitions.set(key, definition);
  }
  runKernel(engine, definition, {
    operation: `linear ${tokens} x ${params.inputs} -> ${params.outputs}${norm ? ' (normed)' : ''}`,
    inputs: norm ? [x, weight, bias, norm.weight] : [x, weight, bias],
    outputs: [y],
    params: {
      inputs: params.inputs,
      outputs: params.outputs,
      hasBias: params.hasBias ? 1 : 0,
      accumulate: params.accumulate ? 1 : 0,
      ...(norm ? { eps: norm.eps } : {}),
    },
    workgroups: streams
      ? grid(Math.ceil(params.outputs / ROWS_PER_INVOCATION), LANE_WORKGROUP)
      : grid(params.outputs, rowsPerWorkgroup(subgroups)),
  });
}
