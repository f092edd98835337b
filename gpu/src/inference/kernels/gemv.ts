import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../ops/kernel.ts';
import { grid, WORKGROUP_SIZE } from '../../ops/wgsl.ts';
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
    ...(vectors ? { elementTypes: { x: 'vec4<f32>', weight: 'vec4<f32>' } } : {}),
    main: rowReductionMain(
      subgroups,
      `
    if (row >= params.outputs) { break; }
    let stride = ${width};
    let base = row * stride;
    ${each((t) => `var sum${t} = 0.0;`, ' ')}
    for (var i = lane; i < stride; i += width) {
      let w = weight[base + i];
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

/**
 * The same product for CPU adapters (lavapipe): each invocation streams ROWS_PER_INVOCATION whole
 * rows as vec4s. On a CPU an invocation is a SIMD lane and long sequential reads per lane beat
 * cross-lane reductions (measured about 1.5-3x the subgroup kernel at decode shapes); on a GPU the
 * few invocations this launches would idle it, so GPUs take the subgroup kernel.
 */
function rowStreamDefinition(tokens: number, tiled: boolean): KernelDefinition {
  const rows = Array.from({ length: ROWS_PER_INVOCATION }, (_, r) => r);
  const tokenIndices = Array.from({ length: tokens }, (_, t) => t);
  const pairs = rows.flatMap((r) => tokenIndices.map((t) => ({ r, t })));
  // Tiled, workgroup z takes tokens [z * tokens, (z + 1) * tokens) of params.tokens; loads past
  // the last token re-read it and their sums are not stored.
  const token = (t: number) => (tiled ? `min(tokenBase + ${t}u, params.tokens - 1u)` : `${t}u`);
  const stored = (t: number, statement: string) =>
    tiled ? `if (tokenBase + ${t}u < params.tokens) { ${statement} }` : statement;
  return {
    name: `inference gemv x${tokens} row streams${tiled ? ' tiled' : ''}`,
    params: { inputs: 'u32', outputs: 'u32', hasBias: 'u32', accumulate: 'u32', tokens: 'u32' },
    inputs: ['x', 'weight', 'bias'],
    outputs: ['y'],
    elementTypes: { x: 'vec4<f32>', weight: 'vec4<f32>' },
    main: /* wgsl */ `
${STORE_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(
  @builtin(global_invocation_id) invocation: vec3u,
  @builtin(num_workgroups) workgroupCount: vec3u,
  @builtin(workgroup_id) workgroup: vec3u,
) {
  let first = (invocation.x + invocation.y * workgroupCount.x * ${WORKGROUP_SIZE}u) * ${ROWS_PER_INVOCATION}u;
  if (first >= params.outputs) { return; }
  let tokenBase = workgroup.z * ${tokens}u;
  let stride = params.inputs / 4u;
  // Rows past the end re-read the last row; their sums are not stored.
  ${rows.map((r) => `let row${r} = min(first + ${r}u, params.outputs - 1u) * stride;`).join('\n  ')}
  ${pairs.map(({ r, t }) => `var sum${r}_${t} = vec4f(0.0);`).join(' ')}
  for (var i = 0u; i < stride; i++) {
    ${tokenIndices.map((t) => `let x${t} = x[${token(t)} * stride + i];`).join(' ')}
    ${rows.map((r) => `let w${r} = weight[row${r} + i];`).join(' ')}
    ${pairs.map(({ r, t }) => `sum${r}_${t} += w${r} * x${t};`).join(' ')}
  }
  ${rows
    .map(
      (r) =>
        `if (first + ${r}u < params.outputs) { ${tokenIndices
          .map((t) =>
            stored(t, `store(tokenBase + ${t}u, first + ${r}u, dot(sum${r}_${t}, vec4f(1.0)));`),
          )
          .join(' ')} }`,
    )
    .join('\n  ')}
}`,
  };
}

/** Output rows each workgroup of the token-lane kernel computes, shared by all its lanes. */
const LANE_ROWS = 8;

/**
 * Many tokens on a CPU adapter (prefill): lanes take tokens and every lane of a workgroup the
 * same LANE_ROWS rows of W, so weight loads are the same address across the SIMD lanes (one
 * load, broadcast) and each lane's x row streams sequentially.
 */
const tokenLanesDefinition: KernelDefinition = {
  name: 'inference linear token lanes',
  params: { inputs: 'u32', outputs: 'u32', hasBias: 'u32', accumulate: 'u32', tokens: 'u32' },
  inputs: ['x', 'weight', 'bias'],
  outputs: ['y'],
  elementTypes: { x: 'vec4<f32>', weight: 'vec4<f32>' },
  main: /* wgsl */ `
STORE_PLACEHOLDER
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(num_workgroups) workgroupCount: vec3u,
  @builtin(local_invocation_index) lane: u32,
) {
  let first = (workgroup.x + workgroup.y * workgroupCount.x) * ${LANE_ROWS}u;
  let token = workgroup.z * ${WORKGROUP_SIZE}u + lane;
  let stride = params.inputs / 4u;
  let source = min(token, params.tokens - 1u) * stride;
  ${Array.from({ length: LANE_ROWS }, (_, r) => `let row${r} = min(first + ${r}u, params.outputs - 1u) * stride;`).join('\n  ')}
  ${Array.from({ length: LANE_ROWS }, (_, r) => `var sum${r} = vec4f(0.0);`).join(' ')}
  for (var i = 0u; i < stride; i++) {
    let input = x[source + i];
    ${Array.from({ length: LANE_ROWS }, (_, r) => `sum${r} += weight[row${r} + i] * input;`).join('\n    ')}
  }
  if (token >= params.tokens) { return; }
  ${Array.from({ length: LANE_ROWS }, (_, r) => `if (first + ${r}u < params.outputs) { store(token, first + ${r}u, dot(sum${r}, vec4f(1.0))); }`).join('\n  ')}
}`,
};

const STORE_WGSL = /* wgsl */ `
fn store(t: u32, o: u32, total: f32) {
  var value = total;
  if (params.hasBias == 1u) { value += bias[o]; }
  let at = t * params.outputs + o;
  if (params.accumulate == 1u) { y[at] += value; } else { y[at] = value; }
}`;

const definitions = new Map<string, KernelDefinition>();

/** From this many tokens the token-lane kernel beats the row-streaming one. */
const TOKEN_LANES_FROM = 16;

let tokenLanesKernel: KernelDefinition | undefined;
function tokenLanes(): KernelDefinition {
  tokenLanesKernel ??= {
    ...tokenLanesDefinition,
    main: tokenLanesDefinition.main.replace('STORE_PLACEHOLDER', STORE_WGSL),
  };
  return tokenLanesKernel;
}

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
  if (streams && tokens >= TOKEN_LANES_FROM) {
    const [columns, rows] = grid(Math.ceil(params.outputs / LANE_ROWS), 1);
    runKernel(engine, tokenLanes(), {
      operation: `linear ${tokens} x ${params.inputs} -> ${params.outputs}`,
      inputs: [x, weight, bias],
      outputs: [y],
      params: {
        inputs: params.inputs,
        outputs: params.outputs,
        hasBias: params.hasBias ? 1 : 0,
        accumulate: params.accumulate ? 1 : 0,
        tokens,
      },
      workgroups: [columns, rows, Math.ceil(tokens / WORKGROUP_SIZE)],
    });
    return;
  }
  const tiled = tokens > GEMV_MAX_TOKENS;
  if (tiled && !streams) throw new Error(`gemv: ${tokens} tokens need the tiled CPU kernel`);
  const unrolled = tiled ? GEMV_MAX_TOKENS : tokens;
  const key = `${unrolled} ${subgroups} ${vectors} ${streams} ${tiled}`;
  let definition = definitions.get(key);
  if (!definition) {
    definition = streams
      ? rowStreamDefinition(unrolled, tiled)
      : gemvDefinition(tokens, subgroups, vectors);
    definitions.set(key, definition);
  }
  const [columns, rows] = grid(Math.ceil(params.outputs / ROWS_PER_INVOCATION));
  runKernel(engine, definition, {
    operation: `linear ${tokens} x ${params.inputs} -> ${params.outputs}`,
    inputs: [x, weight, bias],
    outputs: [y],
    params: {
      inputs: params.inputs,
      outputs: params.outputs,
      hasBias: params.hasBias ? 1 : 0,
      accumulate: params.accumulate ? 1 : 0,
      tokens,
    },
    workgroups: streams
      ? [columns, rows, Math.ceil(tokens / unrolled)]
      : grid(params.outputs, rowsPerWorkgroup(subgroups)),
  });
}
