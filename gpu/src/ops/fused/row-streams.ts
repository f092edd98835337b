/**
 * Fuses rmsNorm (optional), batchMatmul (x W^T) and add (the bias, the residual); and the same
 * with swiglu of a stacked gate-up product.
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition, type ParamType } from '../../kernel/kernel.ts';
import { grid } from '../../kernel/wgsl.ts';
import { LANE_BLOCK_ROWS, rowAddressing } from '../../kernel/lane-blocked.ts';
import { LANE_WORKGROUP, type KernelTarget } from '../../kernel/kernel-target.ts';

/**
 * Matrix-vector kernels for CPU adapters (lavapipe): each invocation streams ROWS_PER_INVOCATION
 * whole rows of W as vec4s for up to MAX_STREAMED_TOKENS tokens at once. On a CPU an invocation
 * is a SIMD lane and long sequential reads per lane beat cross-lane reductions (measured about
 * 1.5-3x the subgroup kernel at decode shapes); on a GPU the few invocations they launch would
 * idle it, so GPUs take the subgroup kernel (gemv.ts).
 */

/** Rows of W each invocation computes: a workgroup covers one lane block (see lane-blocked.ts). */
const ROWS_PER_INVOCATION = LANE_BLOCK_ROWS / LANE_WORKGROUP;

/** Tokens one launch reads the weights for; more tokens take several launches. */
export const MAX_STREAMED_TOKENS = 8;

/** Whether row streams serve a product with `inputs` columns on this kernel family. */
export function streamsRows(target: KernelTarget, inputs: number): boolean {
  return target === 'cpu' && inputs % 4 === 0;
}

/** Hugging Face's RMSNorm applied to a kernel's input on the way in: its weight and epsilon. */
export interface InputNorm {
  weight: Tensor;
  eps: number;
}

/** One launch of a row-streaming kernel. */
export interface RowStreamLaunch {
  x: Tensor;
  weight: Tensor;
  /** The bias, or any tensor when there is none. */
  bias: Tensor;
  hasBias: boolean;
  y: Tensor;
  /** Rows of x (and of y) this launch covers: at most MAX_STREAMED_TOKENS from `firstToken`. */
  firstToken: number;
  tokens: number;
  /** Logical rows of W (of each of gate and up for SwiGLU), before any lane-block padding. */
  outputs: number;
  laneBlocked: boolean;
  norm: InputNorm | undefined;
}

/** Entry: this invocation's `first` row and the row `stride` in vec4s. */
const ENTRY = /* wgsl */ `@compute @workgroup_size(${LANE_WORKGROUP})
fn main(
  @builtin(global_invocation_id) invocation: vec3u,
  @builtin(num_workgroups) workgroupCount: vec3u,
) {
  let first = (invocation.x + invocation.y * workgroupCount.x * ${LANE_WORKGROUP}u) * ${ROWS_PER_INVOCATION}u;
  if (first >= params.outputs) { return; }
  let stride = params.inputs / 4u;`;

/**
 * WGSL pieces for `tokens` tokens: the loop reads each token's input as x{t}. With `normed`, the
 * input is RMS-normalised on the way in (Hugging Face's RMSNorm, its weight in `norm`): each x{t}
 * is scaled by the norm weight, its squares summed in the same pass, and products are multiplied
 * by scale{t} = 1 / sqrt(mean(x^2) + eps) at the end. Every invocation sums the squares again,
 * which costs a vec4 load per iteration (the same address in every lane, so one load) against a
 * dispatch and a round trip through memory for a separate norm kernel.
 */
function streamedInputs(tokens: number, normed: boolean) {
  const indices = Array.from({ length: tokens }, (_, t) => t);
  const lines = (line: (t: number) => string) => indices.map(line).join('\n    ');
  const input = (t: number) => `x[(params.firstToken + ${t}u) * stride + i]`;
  return {
    indices,
    declare: normed ? lines((t) => `var squares${t} = vec4f(0.0);`) : '',
    read: normed
      ? [
          'let g = vec4f(norm[i]);',
          lines((t) => `let raw${t} = ${input(t)}; squares${t} += raw${t} * raw${t};`),
          lines((t) => `let x${t} = raw${t} * g;`),
        ].join('\n    ')
      : lines((t) => `let x${t} = ${input(t)};`),
    scales: normed
      ? lines(
          (t) =>
            `let scale${t} = inverseSqrt(dot(squares${t}, vec4f(1.0)) / f32(params.inputs) + params.eps);`,
        )
      : lines((t) => `let scale${t} = 1.0;`),
  };
}

/** Bindings and parameters every row-streaming kernel has, and those a norm adds. */
function bindings(normed: boolean): {
  inputs: string[];
  params: Record<string, ParamType>;
  elementTypes: Record<string, 'vec4'>;
  vec4Reads: string[];
} {
  const params: Record<string, ParamType> = {
    inputs: 'u32',
    outputs: 'u32',
    hasBias: 'u32',
    firstToken: 'u32',
  };
  const vectors: Record<string, 'vec4'> = { x: 'vec4' };
  const vec4Reads = ['weight'];
  if (!normed) return { inputs: ['x', 'weight', 'bias'], params, elementTypes: vectors, vec4Reads };
  return {
    inputs: ['x', 'weight', 'bias', 'norm'],
    params: { ...params, eps: 'f32' },
    elementTypes: { ...vectors, norm: 'vec4' },
    vec4Reads,
  };
}

const STORE_WGSL = /* wgsl */ `
fn store(t: u32, o: u32, total: f32) {
  var value = total;
  if (params.hasBias == 1u) { value += bias[o]; }
  let at = (params.firstToken + t) * params.outputs + o;
  if (params.accumulate == 1u) { y[at] += value; } else { y[at] = value; }
}`;

/**
 * What the row-streaming kernels share: name, bindings, parameters, the rows an invocation
 * computes, its inputs' WGSL (see streamedInputs) and every (row, token) pair it sums.
 */
function streamingKernel(what: string, tokens: number, normed: boolean, laneBlocked: boolean) {
  const rows = Array.from({ length: ROWS_PER_INVOCATION }, (_, r) => r);
  const input = streamedInputs(tokens, normed);
  return {
    name:
      `inference ${what} x${tokens} row streams` +
      `${normed ? ' normed' : ''}${laneBlocked ? ' lane-blocked' : ''}`,
    ...bindings(normed),
    outputs: ['y'],
    rows,
    input,
    pairs: rows.flatMap((r) => input.indices.map((t) => ({ r, t }))),
  };
}

/** y[t, o] = n_t . W[o] (+ bias[o]), or y += that, n_t the token's input or its RMSNorm. */
function productDefinition(
  tokens: number,
  normed: boolean,
  laneBlocked: boolean,
): KernelDefinition {
  const { rows, input, pairs, params, ...definition } = streamingKernel(
    'gemv',
    tokens,
    normed,
    laneBlocked,
  );
  return {
    ...definition,
    params: { ...params, accumulate: 'u32' },
    main: /* wgsl */ `
${STORE_WGSL}
${rowAddressing(laneBlocked)}
${ENTRY}
  // Rows past the end re-read the last row; their sums are not stored.
  ${rows.map((r) => `let row${r} = rowStart(min(first + ${r}u, params.outputs - 1u), stride);`).join('\n  ')}
  ${pairs.map(({ r, t }) => `var sum${r}_${t} = vec4f(0.0);`).join(' ')}
  ${input.declare}
  for (var i = 0u; i < stride; i++) {
    ${input.read}
    ${rows.map((r) => `let w${r} = weightVec4(row${r} + i * ROW_STEP);`).join(' ')}
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
 * SwiGLU of a stacked gate-up weight [2f, d]: y[t, n] = silu(gate_n . n_t + bg) * (up_n . n_t +
 * bu), gate row n and up row n streamed together, so the [tokens, 2f] product is never stored.
 * The up half starts `upRows` rows in (f, or f padded when lane-blocked).
 */
function swigluDefinition(tokens: number, normed: boolean, laneBlocked: boolean): KernelDefinition {
  const { rows, input, pairs, params, ...definition } = streamingKernel(
    'gate-up swiglu',
    tokens,
    normed,
    laneBlocked,
  );
  return {
    ...definition,
    params: { ...params, upRows: 'u32' },
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
${rowAddressing(laneBlocked)}
${ENTRY}
  ${rows.map((r) => `let gateRow${r} = rowStart(min(first + ${r}u, params.outputs - 1u), stride);`).join('\n  ')}
  let upOffset = params.upRows * stride;
  ${pairs.map(({ r, t }) => `var gate${r}_${t} = vec4f(0.0); var up${r}_${t} = vec4f(0.0);`).join('\n  ')}
  ${input.declare}
  for (var i = 0u; i < stride; i++) {
    ${input.read}
    ${rows.map((r) => `let g${r} = weightVec4(gateRow${r} + i * ROW_STEP); let u${r} = weightVec4(upOffset + gateRow${r} + i * ROW_STEP);`).join('\n    ')}
    ${pairs.map(({ r, t }) => `gate${r}_${t} += g${r} * x${t}; up${r}_${t} += u${r} * x${t};`).join('\n    ')}
  }
  ${input.scales}
  ${rows
    .map(
      (r) =>
        `if (first + ${r}u < params.outputs) { ${input.indices
          .map(
            (t) =>
              `y[(params.firstToken + ${t}u) * params.outputs + first + ${r}u] = swiglu(gate${r}_${t}, up${r}_${t}, scale${t}, first + ${r}u);`,
          )
          .join(' ')} }`,
    )
    .join('\n  ')}
}`,
  };
}

const definitions = new Map<string, KernelDefinition>();

function definitionFor(
  kind: 'product' | 'swiglu',
  { tokens, norm, laneBlocked }: RowStreamLaunch,
): KernelDefinition {
  const key = `${kind} ${tokens} ${norm !== undefined} ${laneBlocked}`;
  let definition = definitions.get(key);
  if (!definition) {
    const make = kind === 'product' ? productDefinition : swigluDefinition;
    definition = make(tokens, norm !== undefined, laneBlocked);
    definitions.set(key, definition);
  }
  return definition;
}

/** Runs a row-streaming kernel over the launch's tokens with its own extra parameters. */
function launchStreams(
  engine: Engine,
  kind: 'product' | 'swiglu',
  launch: RowStreamLaunch,
  extra: Record<string, number>,
): void {
  const { x, weight, bias, y, norm, tokens, outputs } = launch;
  if (tokens < 1 || tokens > MAX_STREAMED_TOKENS)
    throw new Error(`row streams: ${tokens} tokens a launch; 1 to ${MAX_STREAMED_TOKENS}`);
  const inputs = weight.shape[1]!;
  const what = kind === 'product' ? 'linear' : 'gate-up swiglu';
  runKernel(engine, definitionFor(kind, launch), {
    operation: `${what} ${tokens} x ${inputs} -> ${outputs}${norm ? ' (normed)' : ''}`,
    inputs: norm ? [x, weight, bias, norm.weight] : [x, weight, bias],
    outputs: [y],
    params: {
      inputs,
      outputs,
      hasBias: launch.hasBias ? 1 : 0,
      firstToken: launch.firstToken,
      ...extra,
      ...(norm ? { eps: norm.eps } : {}),
    },
    workgroups: grid(Math.ceil(outputs / ROWS_PER_INVOCATION), LANE_WORKGROUP),
  });
}

/** y = n W^T (+ bias), or y += that with `accumulate`, for the launch's rows of x. */
export function streamProduct(engine: Engine, launch: RowStreamLaunch, accumulate: boolean): void {
  launchStreams(engine, 'product', launch, { accumulate: accumulate ? 1 : 0 });
}

/** y = silu(n Wg^T + bg) * (n Wu^T + bu) for the launch's rows of x, W = [Wg; Wu] stacked. */
export function streamSwiglu(engine: Engine, launch: RowStreamLaunch): void {
  launchStreams(engine, 'swiglu', launch, { upRows: launch.weight.shape[0]! / 2 });
}
