/**
 * The CPU family of experts.ts's expert FFN: fuses expertMatmul, swiglu and combineExperts.
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import type { KernelDefinition } from '../../kernel/kernel.ts';
import { LANE_WORKGROUP } from '../../kernel/kernel-target.ts';
import { rowAddressing } from '../../kernel/lane-blocked.ts';

/** Neurons (gate-up) or output rows (down) each invocation streams. */
const ROWS = 4;
const rowIndices = Array.from({ length: ROWS }, (_, r) => r);

const INVOCATION_WGSL = /* wgsl */ `
  let first = (invocation.x + invocation.y * workgroupCount.x * ${LANE_WORKGROUP}u) * ${ROWS}u;
  let item = workgroup.z;`;

const BUILTINS_WGSL = /* wgsl */ `
  @builtin(global_invocation_id) invocation: vec3u,
  @builtin(num_workgroups) workgroupCount: vec3u,
  @builtin(workgroup_id) workgroup: vec3u,`;

/**
 * CPU form of the expert gate-up (see experts.ts): each invocation streams ROWS neurons of one
 * (token, chosen expert) pair, gate and up rows as vec4s, and writes silu(gate) * up.
 */
function gateUpDefinition(laneBlocked: boolean): KernelDefinition {
  return {
    name: `inference expert gate-up row streams${laneBlocked ? ' lane-blocked' : ''}`,
    params: { inputs: 'u32', block: 'u32', k: 'u32', hasBias: 'u32' },
    inputs: ['x', 'gate', 'up', 'gateBias', 'upBias', 'choices', 'offsets'],
    outputs: ['act'],
    elementTypes: { x: 'vec4' },
    vec4Reads: ['gate', 'up'],
    main: /* wgsl */ `
${rowAddressing(laneBlocked)}
@compute @workgroup_size(${LANE_WORKGROUP})
fn main(${BUILTINS_WGSL}) {
  ${INVOCATION_WGSL}
  if (first >= params.block) { return; }
  let token = item / params.k;
  let expert = u32(choices[item]);
  let start = u32(offsets[expert]);
  let size = u32(offsets[expert + 1u]) - start;
  let stride = params.inputs / 4u;
  let source = token * stride;
  ${rowIndices.map((r) => `let neuron${r} = start + min(first + ${r}u, size - 1u);`).join('\n  ')}
  ${rowIndices.map((r) => `let row${r} = rowStart(neuron${r}, stride);`).join('\n  ')}
  ${rowIndices.map((r) => `var gate${r} = vec4f(0.0); var up${r} = vec4f(0.0);`).join('\n  ')}
  for (var i = 0u; i < stride; i++) {
    let input = x[source + i];
    ${rowIndices
      .map(
        (r) =>
          `gate${r} += gateVec4(row${r} + i * ROW_STEP) * input; up${r} += upVec4(row${r} + i * ROW_STEP) * input;`,
      )
      .join('\n    ')}
  }
  ${rowIndices
    .map(
      (r) => `if (first + ${r}u < params.block) {
    var value = 0.0;
    if (first + ${r}u < size) {
      var g = dot(gate${r}, vec4f(1.0));
      var u = dot(up${r}, vec4f(1.0));
      if (params.hasBias == 1u) { g += gateBias[neuron${r}]; u += upBias[neuron${r}]; }
      value = g / (1.0 + exp(-g)) * u;
    }
    act[item * params.block + first + ${r}u] = value;
  }`,
    )
    .join('\n  ')}
}`,
  };
}

/**
 * CPU form of the expert down projection: each invocation streams ROWS output rows of one token
 * over the column spans of its chosen experts, as vec4s (every expert starts at a multiple of 4).
 */
function downDefinition(laneBlocked: boolean): KernelDefinition {
  return {
    name: `inference expert down row streams${laneBlocked ? ' lane-blocked' : ''}`,
    params: {
      outputs: 'u32',
      width: 'u32',
      block: 'u32',
      k: 'u32',
      hasBias: 'u32',
      scale: 'f32',
      gated: 'u32',
    },
    inputs: ['act', 'down', 'downBias', 'choices', 'offsets', 'gates'],
    outputs: ['residual'],
    elementTypes: { act: 'vec4' },
    vec4Reads: ['down'],
    main: /* wgsl */ `
${rowAddressing(laneBlocked)}
@compute @workgroup_size(${LANE_WORKGROUP})
fn main(${BUILTINS_WGSL}) {
  ${INVOCATION_WGSL}
  if (first >= params.outputs) { return; }
  let token = item;
  let stride = params.width / 4u;
  ${rowIndices.map((r) => `let row${r} = rowStart(min(first + ${r}u, params.outputs - 1u), stride);`).join('\n  ')}
  ${rowIndices.map((r) => `var sum${r} = vec4f(0.0);`).join(' ')}
  for (var j = 0u; j < params.k; j++) {
    let expert = u32(choices[token * params.k + j]);
    let start = u32(offsets[expert]) / 4u;
    let size = (u32(offsets[expert + 1u]) - u32(offsets[expert])) / 4u;
    let activations = (token * params.k + j) * params.block / 4u;
    let gate = select(1.0, gates[token * params.k + j], params.gated == 1u);
    for (var c = 0u; c < size; c++) {
      let a = act[activations + c] * gate;
      ${rowIndices.map((r) => `sum${r} += downVec4(row${r} + (start + c) * ROW_STEP) * a;`).join('\n      ')}
    }
  }
  ${rowIndices
    .map(
      (r) => `if (first + ${r}u < params.outputs) {
    var value = dot(sum${r}, vec4f(1.0)) * params.scale;
    if (params.hasBias == 1u) { value += downBias[first + ${r}u]; }
    residual[token * params.outputs + first + ${r}u] += value;
  }`,
    )
    .join('\n  ')}
}`,
  };
}

const kernels = new Map<boolean, ReturnType<typeof expertKernels>>();

function expertKernels(laneBlocked: boolean) {
  return {
    gateUp: gateUpDefinition(laneBlocked),
    down: downDefinition(laneBlocked),
    rowsPerWorkgroup: ROWS * LANE_WORKGROUP,
  };
}

/** The CPU expert kernels for weights in either layout, and the rows one workgroup covers. */
export function rowStreamExpertKernels(laneBlocked: boolean): ReturnType<typeof expertKernels> {
  let found = kernels.get(laneBlocked);
  if (!found) kernels.set(laneBlocked, (found = expertKernels(laneBlocked)));
  return found;
}
