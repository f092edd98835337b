/**
 * Fuses groupByExpert, expertMatmul, swiglu and combineExperts, tokens grouped by expert.
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import { expertTileCount, expertTilesWgsl } from '../expert-matmul-tiles.ts';
import { groupByExpert } from '../group-by-expert.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { rowAddressing } from '../../kernel/lane-blocked.ts';
import { grid, perElement } from '../../kernel/wgsl.ts';
import type { Engine } from '../../runtime/engine.ts';
import { allocateTensor } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import type { ExpertWeights } from './experts.ts';
import { LANE_WORKGROUP } from '../../kernel/kernel-target.ts';

/**
 * The factorised FFN of many tokens at once (prefill) with the tokens grouped by expert: the
 * per-token kernels (experts.ts) read a chosen expert's weights once per token, these read them
 * once per tile of TILE_ROWS tokens that chose it. groupByExpert sorts the (token, choice) pairs
 * by expert on the GPU; a workgroup takes one tile of one expert's sorted rows (found from the
 * expert offsets, no readback) and LANE_WORKGROUP x NEURONS of its neurons (gate-up) or output
 * rows (down), each invocation applying its weight rows to every row of the tile; a last kernel
 * adds each token's k expert outputs into the residual stream. Weights are read as vec4s, in
 * either layout (ExpertWeights.vectors), so both kernel families use them.
 */

/** Sorted rows (tokens) a workgroup applies each weight row it reads to. */
const TILE_ROWS = 8;
/** Neurons (gate-up) or output rows (down) per invocation. */
const NEURONS = 4;
/** Fewest (token, choice) pairs for which the grouped kernels beat the per-token ones. */
const MIN_GROUPED_ROWS = 16;

/** Whether `tokens` rows take the grouped kernels: vec4-shaped weights and enough pairs. */
export function groupsTokensByExpert(weights: ExpertWeights, tokens: number): boolean {
  return weights.vectors && tokens * weights.topK >= MIN_GROUPED_ROWS;
}

const tileRows = Array.from({ length: TILE_ROWS }, (_, t) => t);
const neurons = Array.from({ length: NEURONS }, (_, r) => r);
const each = (count: number[], line: (index: number) => string, separator = '\n  ') =>
  count.map(line).join(separator);
const eachPair = (line: (t: number, r: number) => string, separator = '\n    ') =>
  tileRows.flatMap((t) => neurons.map((r) => line(t, r))).join(separator);

/** What tileOf reads: sorted rows and experts. */
const TILE_PARAMS = { rows: 'u32', experts: 'u32' } as const;

/**
 * The tile of this workgroup (`offsets`: where each expert's sorted rows start), its expert's
 * neurons (`neuronOffsets`: where each expert's neurons start), and this invocation's first.
 */
const TILE_WGSL = /* wgsl */ `
  let tile = tileOf(workgroup.y);
  // Invalid expert ids (none from routeTopK) sort last; their rows are never read.
  if (!tile.valid || tile.expert >= params.experts) { return; }
  let start = u32(neuronOffsets[tile.expert]);
  let size = u32(neuronOffsets[tile.expert + 1u]) - start;
  let first = invocation.x * ${NEURONS}u;
  ${each(tileRows, (t) => `let sorted${t} = min(tile.first + ${t}u, tile.last);`)}`;

const ENTRY_WGSL = /* wgsl */ `
@compute @workgroup_size(${LANE_WORKGROUP})
fn main(
  @builtin(global_invocation_id) invocation: vec3u,
  @builtin(workgroup_id) workgroup: vec3u,
) {`;

/** act[r, n] = silu(gate_n . h_t + bg) * (up_n . h_t + bu) for sorted row r of token t. */
function gateUpDefinition(laneBlocked: boolean): KernelDefinition {
  return {
    name: `inference grouped expert gate-up${laneBlocked ? ' lane-blocked' : ''}`,
    params: { ...TILE_PARAMS, k: 'u32', inputs: 'u32', block: 'u32', hasBias: 'u32' },
    inputs: ['h', 'gate', 'up', 'gateBias', 'upBias', 'order', 'offsets', 'neuronOffsets'],
    outputs: ['act'],
    elementTypes: { h: 'vec4', gate: 'vec4', up: 'vec4' },
    main: /* wgsl */ `
${rowAddressing(laneBlocked)}
${expertTilesWgsl(TILE_ROWS)}
${ENTRY_WGSL}
${TILE_WGSL}
  if (first >= size) { return; }
  let stride = params.inputs / 4u;
  ${each(neurons, (r) => `let neuron${r} = start + min(first + ${r}u, size - 1u);`)}
  ${each(neurons, (r) => `let row${r} = rowStart(neuron${r}, stride);`)}
  ${each(tileRows, (t) => `let x${t} = (u32(order[sorted${t}]) / params.k) * stride;`)}
  ${eachPair((t, r) => `var gate${t}_${r} = vec4f(); var up${t}_${r} = vec4f();`, '\n  ')}
  for (var i = 0u; i < stride; i++) {
    ${each(neurons, (r) => `let g${r} = vec4f(gate[row${r} + i * ROW_STEP]); let u${r} = vec4f(up[row${r} + i * ROW_STEP]);`, '\n    ')}
    ${each(tileRows, (t) => `let h${t} = h[x${t} + i];`, '\n    ')}
    ${eachPair((t, r) => `gate${t}_${r} = fma(g${r}, h${t}, gate${t}_${r}); up${t}_${r} = fma(u${r}, h${t}, up${t}_${r});`)}
  }
  ${eachPair(
    (t, r) => `if (tile.first + ${t}u <= tile.last && first + ${r}u < size) {
    var g = dot(gate${t}_${r}, vec4f(1.0));
    var u = dot(up${t}_${r}, vec4f(1.0));
    if (params.hasBias == 1u) { g += gateBias[neuron${r}]; u += upBias[neuron${r}]; }
    act[sorted${t} * params.block + first + ${r}u] = g / (1.0 + exp(-g)) * u;
  }`,
    '\n  ',
  )}
}`,
  };
}

/** out[r, o] = down[o, start_e ..] . act[r, ..] over sorted row r's expert e's neurons. */
function downDefinition(laneBlocked: boolean): KernelDefinition {
  return {
    name: `inference grouped expert down${laneBlocked ? ' lane-blocked' : ''}`,
    params: { ...TILE_PARAMS, outputs: 'u32', width: 'u32', block: 'u32' },
    inputs: ['act', 'down', 'offsets', 'neuronOffsets'],
    outputs: ['out'],
    elementTypes: { act: 'vec4', down: 'vec4' },
    main: /* wgsl */ `
${rowAddressing(laneBlocked)}
${expertTilesWgsl(TILE_ROWS)}
${ENTRY_WGSL}
${TILE_WGSL}
  if (first >= params.outputs) { return; }
  let stride = params.width / 4u;
  let columns = start / 4u;
  ${each(neurons, (r) => `let row${r} = rowStart(min(first + ${r}u, params.outputs - 1u), stride);`)}
  ${each(tileRows, (t) => `let a${t} = sorted${t} * (params.block / 4u);`)}
  ${eachPair((t, r) => `var sum${t}_${r} = vec4f();`, ' ')}
  for (var c = 0u; c < size / 4u; c++) {
    ${each(neurons, (r) => `let d${r} = vec4f(down[row${r} + (columns + c) * ROW_STEP]);`, '\n    ')}
    ${each(tileRows, (t) => `let act${t} = act[a${t} + c];`, '\n    ')}
    ${eachPair((t, r) => `sum${t}_${r} = fma(d${r}, act${t}, sum${t}_${r});`)}
  }
  ${eachPair(
    (t, r) => `if (tile.first + ${t}u <= tile.last && first + ${r}u < params.outputs) {
    out[sorted${t} * params.outputs + first + ${r}u] = dot(sum${t}_${r}, vec4f(1.0));
  }`,
    '\n  ',
  )}
}`,
  };
}

/**
 * residual[t, o] += scale * (sum of token t's k expert outputs, each times gates[t, j] when
 * `gated`) + the down bias once.
 */
const combineDefinition: KernelDefinition = {
  name: 'inference grouped expert combine',
  params: { count: 'u32', outputs: 'u32', k: 'u32', hasBias: 'u32', scale: 'f32', gated: 'u32' },
  inputs: ['out', 'positions', 'downBias', 'gates'],
  outputs: ['residual'],
  main: perElement(`
  let token = index / params.outputs;
  let o = index % params.outputs;
  var total = 0.0;
  for (var j = 0u; j < params.k; j++) {
    let r = positions[token * params.k + j];
    if (r >= 0) {
      let value = out[u32(r) * params.outputs + o];
      total += select(value, value * gates[token * params.k + j], params.gated == 1u);
    }
  }
  var value = total * params.scale;
  if (params.hasBias == 1u) { value += downBias[o]; }
  residual[index] += value;`),
};

const definitions = new Map<boolean, { gateUp: KernelDefinition; down: KernelDefinition }>();

function kernelsFor(laneBlocked: boolean) {
  let found = definitions.get(laneBlocked);
  if (!found) {
    found = { gateUp: gateUpDefinition(laneBlocked), down: downDefinition(laneBlocked) };
    definitions.set(laneBlocked, found);
  }
  return found;
}

/**
 * The factorised FFN of `tokens` rows of h added to `residual`, the tokens grouped by their
 * `choices` (i32 [tokens, k]); the weights must be vec4-shaped (ExpertWeights.vectors). With
 * `gates` (f32 [tokens, k]) each chosen expert is weighted by its gate instead of N / k.
 */
export function groupedExpertFfn(
  engine: Engine,
  h: Tensor,
  choices: Tensor,
  residual: Tensor,
  tokens: number,
  weights: ExpertWeights,
  gates?: Tensor,
): void {
  const { block, topK: k, experts } = weights;
  const [inputs, width] = [weights.gate.shape[1]!, weights.down.shape[1]!];
  const rows = tokens * k;
  const what = `${tokens} tokens, ${k} of ${experts} experts, grouped`;
  const groups = groupByExpert(choices, experts);
  const kernels = kernelsFor(weights.laneBlocked);
  const tiles = expertTileCount(rows, TILE_ROWS, experts);
  const act = allocateTensor(engine, 'grouped expert activations', [rows, block], 'f32');
  runKernel(engine, kernels.gateUp, {
    operation: `expert gate-up of ${what}`,
    inputs: [
      h,
      weights.gate,
      weights.up,
      weights.gateBias,
      weights.upBias,
      groups.order,
      groups.offsets,
      weights.offsets,
    ],
    outputs: [act],
    params: { rows, experts, k, inputs, block, hasBias: +weights.hasBias },
    workgroups: [Math.ceil(block / (NEURONS * LANE_WORKGROUP)), tiles],
  });
  const out = allocateTensor(engine, 'grouped expert outputs', [rows, inputs], 'f32');
  runKernel(engine, kernels.down, {
    operation: `expert down of ${what}`,
    inputs: [act, weights.down, groups.offsets, weights.offsets],
    outputs: [out],
    params: { rows, experts, outputs: inputs, width, block },
    workgroups: [Math.ceil(inputs / (NEURONS * LANE_WORKGROUP)), tiles],
  });
  act.dispose();
  runKernel(engine, combineDefinition, {
    operation: `expert combine of ${what}`,
    // Without gates an f32 binding stands in for them, never read.
    inputs: [out, groups.positions, weights.downBias, gates ?? out],
    outputs: [residual],
    params: {
      count: tokens * inputs,
      outputs: inputs,
      k,
      hasBias: +weights.hasBias,
      scale: gates ? 1 : experts / k,
      gated: gates ? 1 : 0,
    },
    workgroups: grid(tokens * inputs),
  });
  out.dispose();
  groups.dispose();
}
