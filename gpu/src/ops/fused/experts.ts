/**
 * Fuses topK (routeTopK) and the expert FFN: groupByExpert, expertMatmul, swiglu and
 * combineExperts for the chosen experts of each token (expertFfn).
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid, perElement } from '../../kernel/wgsl.ts';
import { rowStreamExpertKernels } from './experts-cpu.ts';
import type { KernelTarget } from '../../kernel/kernel-target.ts';
import {
  hasSubgroups,
  rowReductionDirectives,
  rowReductionMain,
  rowsPerWorkgroup,
} from '../../kernel/row-reduction.ts';

/** The chosen experts of each token: the k largest router logits, ties to the lower index. */
const routeKernel: KernelDefinition = {
  name: 'inference route top-k',
  params: { count: 'u32', experts: 'u32', k: 'u32' },
  inputs: ['logits'],
  outputs: ['choices'],
  main: perElement(`
  let base = index * params.experts;
  var taken = 0u;
  for (var j = 0u; j < params.k; j++) {
    var best = 0u;
    var bestValue = -3.0e38;
    var found = false;
    for (var e = 0u; e < params.experts; e++) {
      let value = logits[base + e];
      if ((taken & (1u << e)) == 0u && (!found || value > bestValue)) {
        best = e;
        bestValue = value;
        found = true;
      }
    }
    taken |= 1u << best;
    choices[index * params.k + j] = i32(best);
  }`),
};

/** Experts are at most 32 per layer: the kernel keeps the taken ones in a bit mask. */
export const MAX_EXPERTS = 32;

export function routeTopK(engine: Engine, logits: Tensor, choices: Tensor, k: number): void {
  const [tokens, experts] = logits.shape as [number, number];
  runKernel(engine, routeKernel, {
    operation: `route ${tokens} tokens to ${k} of ${experts} experts`,
    inputs: [logits],
    outputs: [choices],
    params: { count: tokens, experts, k },
    workgroups: grid(tokens),
  });
}

/** Neurons of the permuted FFN: expert e owns rows offsets[e] .. offsets[e + 1] of gate and up. */
const EXPERT_RANGE_WGSL = /* wgsl */ `
fn expertStart(e: u32) -> u32 { return u32(offsets[e]); }
fn expertSize(e: u32) -> u32 { return u32(offsets[e + 1u]) - u32(offsets[e]); }`;

/**
 * act[t, j, r] = silu(gate_r . x_t + bg) * (up_r . x_t + bu) for the r-th neuron of token t's
 * j-th chosen expert, zero past that expert's size. Only the chosen experts' rows are read.
 */
function gateUpDefinition(subgroups: boolean): KernelDefinition {
  return {
    name: `inference expert gate-up${subgroups ? ' subgroups' : ''}`,
    params: { inputs: 'u32', block: 'u32', k: 'u32', hasBias: 'u32' },
    inputs: ['x', 'gate', 'up', 'gateBias', 'upBias', 'choices', 'offsets'],
    outputs: ['act'],
    directives: rowReductionDirectives(subgroups),
    main: rowReductionMain(
      subgroups,
      `
    if (row >= params.block) { break; }
    let token = item / params.k;
    let expert = u32(choices[item]);
    let at = item * params.block + row;
    if (row >= expertSize(expert)) {
      if (lane == 0u) { act[at] = 0.0; }
      continue;
    }
    let neuron = expertStart(expert) + row;
    let base = neuron * params.inputs;
    var gateSum = 0.0;
    var upSum = 0.0;
    for (var i = lane; i < params.inputs; i += width) {
      let input = x[token * params.inputs + i];
      gateSum += f32(gate[base + i]) * input;
      upSum += f32(up[base + i]) * input;
    }
    var g = rowSum(gateSum);
    var u = rowSum(upSum);
    if (lane == 0u) {
      if (params.hasBias == 1u) {
        g += gateBias[neuron];
        u += upBias[neuron];
      }
      act[at] = g / (1.0 + exp(-g)) * u;
    }`,
      EXPERT_RANGE_WGSL,
    ),
  };
}

/**
 * residual[t, o] += scale * sum over chosen experts j (each times gates[t, j] when `gated`) and
 * their neurons r of down[o, start_j + r] act[t, j, r] (+ down bias once): the chosen experts'
 * columns only.
 */
function downDefinition(subgroups: boolean): KernelDefinition {
  return {
    name: `inference expert down${subgroups ? ' subgroups' : ''}`,
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
    directives: rowReductionDirectives(subgroups),
    main: rowReductionMain(
      subgroups,
      `
    if (row >= params.outputs) { break; }
    let token = item;
    var sum = 0.0;
    for (var j = 0u; j < params.k; j++) {
      let expert = u32(choices[token * params.k + j]);
      let start = row * params.width + expertStart(expert);
      let activations = (token * params.k + j) * params.block;
      let size = expertSize(expert);
      var part = 0.0;
      for (var r = lane; r < size; r += width) { part += f32(down[start + r]) * act[activations + r]; }
      sum += select(part, part * gates[token * params.k + j], params.gated == 1u);
    }
    let total = rowSum(sum) * params.scale;
    if (lane == 0u) {
      var value = total;
      if (params.hasBias == 1u) { value += downBias[row]; }
      residual[token * params.outputs + row] += value;
    }`,
      EXPERT_RANGE_WGSL,
    ),
  };
}

const definitions = new Map<string, KernelDefinition>();

function definition(name: string, subgroups: boolean): KernelDefinition {
  const key = `${name} ${subgroups}`;
  let found = definitions.get(key);
  if (!found) {
    found = name === 'gate-up' ? gateUpDefinition(subgroups) : downDefinition(subgroups);
    definitions.set(key, found);
  }
  return found;
}

export interface ExpertWeights {
  /** [f, d], rows permuted so each expert's neurons are contiguous. */
  gate: Tensor;
  up: Tensor;
  /** [d, f], columns permuted the same way. */
  down: Tensor;
  gateBias: Tensor;
  upBias: Tensor;
  downBias: Tensor;
  hasBias: boolean;
  /** i32 [experts + 1]: where each expert's neurons start. */
  offsets: Tensor;
  /** The largest expert's neuron count. */
  block: number;
  experts: number;
  topK: number;
  /** Every width and expert start a multiple of 4: the CPU kernels read vec4s. */
  vectors: boolean;
  /** gate, up and down stored lane-blocked (see laneBlock), for the CPU kernels. */
  laneBlocked: boolean;
}

/**
 * The factorised FFN of `tokens` rows of h, added to `residual`, computing chosen experts only:
 * the chosen experts summed times N / k (FactorLLM), or with `gates` (f32 [tokens, k]) each
 * times its gate (softmax gating).
 */
export function expertFfn(
  engine: Engine,
  target: KernelTarget,
  h: Tensor,
  choices: Tensor,
  act: Tensor,
  residual: Tensor,
  tokens: number,
  weights: ExpertWeights,
  gates?: Tensor,
): void {
  const subgroups = hasSubgroups(engine);
  const kernels =
    target === 'cpu' && weights.vectors
      ? rowStreamExpertKernels(weights.laneBlocked)
      : {
          gateUp: definition('gate-up', subgroups),
          down: definition('down', subgroups),
          rowsPerWorkgroup: rowsPerWorkgroup(subgroups),
        };
  // The down projection's columns are the neurons (lane-blocking pads rows only).
  const [inputs, width] = [weights.gate.shape[1]!, weights.down.shape[1]!];
  const { block, topK: k } = weights;
  const experts = `${k} of ${weights.experts} experts`;
  const hasBias = weights.hasBias ? 1 : 0;
  const [gateX, gateY] = grid(block, kernels.rowsPerWorkgroup);
  runKernel(engine, kernels.gateUp, {
    operation: `expert gate-up of ${tokens} tokens, ${experts}`,
    inputs: [
      h,
      weights.gate,
      weights.up,
      weights.gateBias,
      weights.upBias,
      choices,
      weights.offsets,
    ],
    outputs: [act],
    params: { inputs, block, k, hasBias },
    workgroups: [gateX, gateY, tokens * k],
  });
  const [downX, downY] = grid(inputs, kernels.rowsPerWorkgroup);
  runKernel(engine, kernels.down, {
    operation: `expert down of ${tokens} tokens, ${experts}`,
    // Without gates an f32 binding stands in for them, never read.
    inputs: [act, weights.down, weights.downBias, choices, weights.offsets, gates ?? act],
    outputs: [residual],
    params: {
      outputs: inputs,
      width,
      block,
      k,
      hasBias,
      scale: gates ? 1 : weights.experts / k,
      gated: gates ? 1 : 0,
    },
    workgroups: [downX, downY, tokens],
  });
}
