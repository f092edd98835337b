import type { LayerFactorisation } from '../factor/factorise.ts';
import { GATINGS, moeTensorNames, type Gating } from '../factor/moe-config.ts';
import type { ModelConfig } from '../model/config.ts';
import {
  add,
  batchMatmul,
  combineExperts,
  expertMatmul,
  gatherColumns,
  groupByExpert,
  softmax,
  swiglu,
  topK,
} from '../ops/index.ts';
import { tanh } from '../ops/tanh.ts';
import { tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Activations } from './activations.ts';
import type { Parameters, ParameterValues } from './parameters.ts';
import { noGrad } from '../ops/grad-mode.ts';

export { GATINGS, type Gating };

export interface MoeSettings {
  experts: number;
  topK: number;
  gating: Gating;
}

/** The parameter names of layer `layer`'s mixture of experts (see moeTensorNames). */
export const moeParameterNames = moeTensorNames;

/**
 * The parameter groups a fine-tune trains or freezes (Parameters.freeze / unfreeze take these):
 * every router (linear, or the mlp router's two layers), every expert, every shared expert.
 * Whatever matches none is the dense rest (embeddings, attention, norms, the head).
 */
export const MOE_PARAMETER_GROUPS = {
  routers: /^model\.layers\.\d+\.mlp\.router\./,
  experts: /^model\.layers\.\d+\.mlp\.experts\./,
  sharedExperts: /^model\.layers\.\d+\.mlp\.shared_expert\./,
} as const;

export type MoeParameterGroup = keyof typeof MOE_PARAMETER_GROUPS | 'rest';

/** Which group parameter `name` belongs to. */
export function moeParameterGroup(name: string): MoeParameterGroup {
  for (const [group, pattern] of Object.entries(MOE_PARAMETER_GROUPS))
    if (pattern.test(name)) return group as MoeParameterGroup;
  return 'rest';
}

/**
 * The dense model's `values` with every FFN cut into the experts of `layers` (weights copied, not
 * changed) and their routers: gate and up as [N, d, w], down as [N, w, d], w the largest expert's
 * width; a smaller expert's extra columns are zero, which adds nothing and gets no gradient. A
 * layer's shared neurons become its shared expert, a dense SwiGLU of their own; an mlp router
 * brings its hidden layer.
 */
export function expertParameterValues(
  values: ParameterValues,
  config: ModelConfig,
  layers: readonly LayerFactorisation[],
): ParameterValues {
  if (config.mlp_bias) {
    throw new Error('mixtures of experts of FFNs with biases (mlp_bias) are not supported yet');
  }
  if (layers.length !== config.num_hidden_layers) {
    throw new Error(
      `the factorisation has ${layers.length} layers, the model ${config.num_hidden_layers}`,
    );
  }
  const d = config.hidden_size;
  const f = config.intermediate_size;
  const result = new Map(values);
  layers.forEach((factorisation, layer) => {
    const dense = `model.layers.${layer}.mlp`;
    const take = (name: string) => {
      const found = values.get(`${dense}.${name}.weight`);
      if (!found) throw new Error(`no ${dense}.${name}.weight to cut into experts`);
      result.delete(`${dense}.${name}.weight`);
      return found.values;
    };
    const [gate, up, down] = [take('gate_proj'), take('up_proj'), take('down_proj')];
    const experts = factorisation.experts.length;
    const width = Math.max(...factorisation.experts.map((neurons) => neurons.length));
    const gates = new Float32Array(experts * d * width);
    const ups = new Float32Array(experts * d * width);
    const downs = new Float32Array(experts * width * d);
    factorisation.experts.forEach((neurons, expert) => {
      neurons.forEach((neuron, column) => {
        for (let i = 0; i < d; i++) {
          // gate_proj and up_proj are [f, d]; down_proj is [d, f].
          gates[(expert * d + i) * width + column] = gate[neuron * d + i]!;
          ups[(expert * d + i) * width + column] = up[neuron * d + i]!;
          downs[(expert * width + column) * d + i] = down[i * f + neuron]!;
        }
      });
    });
    const names = moeParameterNames(layer);
    const routerInputs = factorisation.routerHidden?.bias.length ?? d;
    if (factorisation.routerHidden) {
      const hidden = factorisation.routerHidden;
      result.set(names.routerHidden, { shape: [hidden.bias.length, d], values: hidden.weight });
      result.set(names.routerHiddenBias, { shape: [hidden.bias.length], values: hidden.bias });
    }
    result.set(names.router, {
      shape: [experts, routerInputs],
      values: factorisation.routerWeight,
    });
    result.set(names.routerBias, { shape: [experts], values: factorisation.routerBias });
    result.set(names.gate, { shape: [experts, d, width], values: gates });
    result.set(names.up, { shape: [experts, d, width], values: ups });
    result.set(names.down, { shape: [experts, width, d], values: downs });
    const shared = factorisation.shared ?? [];
    if (shared.length > 0) {
      const rows = (matrix: Float32Array) => {
        const picked = new Float32Array(shared.length * d);
        shared.forEach((neuron, row) =>
          picked.set(matrix.subarray(neuron * d, (neuron + 1) * d), row * d),
        );
        return picked;
      };
      const columns = new Float32Array(d * shared.length);
      for (let i = 0; i < d; i++)
        shared.forEach(
          (neuron, column) => (columns[i * shared.length + column] = down[i * f + neuron]!),
        );
      result.set(names.sharedGate, { shape: [shared.length, d], values: rows(gate) });
      result.set(names.sharedUp, { shape: [shared.length, d], values: rows(up) });
      result.set(names.sharedDown, { shape: [d, shared.length], values: columns });
    }
  });
  return result;
}

export interface MoeWeights {
  router: Tensor;
  routerBias?: Tensor;
  /** The mlp router's first layer, Linear(d, E). */
  routerHidden?: { weight: Tensor; bias: Tensor };
  gate: Tensor;
  up: Tensor;
  down: Tensor;
  /** The always-on shared expert, a dense SwiGLU: gate and up [s, d], down [d, s]. */
  shared?: { gate: Tensor; up: Tensor; down: Tensor };
}

/**
 * Scores [tokens, N] whose top k pick the experts instead of the router's logits (the baselines
 * of an evaluation: random or oracle routers), given the FFN input and the router's logits; the
 * gating still weighs the chosen experts by the router's own logits.
 */
export type ChoiceOverride = (input: Tensor, routerLogits: Tensor) => Tensor;

/** Layer `layer`'s mixture-of-experts weights in `parameters`; undefined for a dense FFN. */
export function moeWeightsOf(parameters: Parameters, layer: number): MoeWeights | undefined {
  const names = moeParameterNames(layer);
  if (!parameters.has(names.router)) return undefined;
  const weight = (name: string) => parameters.get(name);
  const optional = (name: string) => (parameters.has(name) ? weight(name) : undefined);
  return {
    router: weight(names.router),
    routerBias: optional(names.routerBias),
    routerHidden: parameters.has(names.routerHidden)
      ? { weight: weight(names.routerHidden), bias: weight(names.routerHiddenBias) }
      : undefined,
    gate: weight(names.gate),
    up: weight(names.up),
    down: weight(names.down),
    shared: parameters.has(names.sharedGate)
      ? {
          gate: weight(names.sharedGate),
          up: weight(names.sharedUp),
          down: weight(names.sharedDown),
        }
      : undefined,
  };
}

/**
 * The mixture-of-experts FFN of `input` [tokens, d]: the router's top-k experts per token, only
 * those computed (tokens grouped by expert), combined by the gating, plus the shared expert's
 * output where there is one. Returns the output and the router's logits [tokens, N] (for losses
 * on the routing).
 */
export function moeFeedForward(
  input: Tensor,
  weights: MoeWeights,
  { experts, topK: k, gating }: MoeSettings,
  activations: Activations,
  choose?: ChoiceOverride,
): { output: Tensor; routerLogits: Tensor } {
  const track = <T extends Tensor>(output: T) => activations.track(output);
  const routerLogits = routerForward(input, weights, activations);
  const override = choose && track(noGrad(() => choose(input, routerLogits)));
  const choice = topK(override ?? routerLogits, k);
  if (override) activations.release(override);
  activations.own(choice.indices);
  choice.mask.dispose();
  const groups = activations.own(groupByExpert(choice.indices, experts));
  const tokens = input.shape[0]!;
  const gates =
    gating === 'softmax'
      ? softmaxGates(routerLogits, choice.indices, activations)
      : track(
          tensor(input.engine.gpu, new Float32Array(tokens * k).fill(experts / k), [tokens, k]),
        );
  const gated = track(expertMatmul(input, weights.gate, groups, { from: 'tokens' }));
  const up = track(expertMatmul(input, weights.up, groups, { from: 'tokens' }));
  const hidden = track(swiglu(gated, up));
  activations.release(gated, up);
  const down = track(expertMatmul(hidden, weights.down, groups, { from: 'groups' }));
  activations.release(hidden);
  const routed = track(combineExperts(down, gates, groups));
  activations.release(down, gates);
  if (!weights.shared) return { output: routed, routerLogits };
  const shared = sharedExpertForward(input, weights.shared, activations);
  const output = track(add(routed, shared));
  activations.release(routed, shared);
  return { output, routerLogits };
}

/** The router's logits [tokens, N]. */
function routerForward(input: Tensor, weights: MoeWeights, activations: Activations): Tensor {
  const track = <T extends Tensor>(output: T) => activations.track(output);
  const linear = (x: Tensor, weight: Tensor, bias: Tensor | undefined) => {
    const product = track(batchMatmul(x, weight, { transposeB: true }));
    if (!bias) return product;
    const biased = track(add(product, bias));
    activations.release(product);
    return biased;
  };
  if (!weights.routerHidden) return linear(input, weights.router, weights.routerBias);
  const projected = linear(input, weights.routerHidden.weight, weights.routerHidden.bias);
  const hidden = track(tanh(projected));
  activations.release(projected);
  const logits = linear(hidden, weights.router, weights.routerBias);
  activations.release(hidden);
  return logits;
}

export function sharedExpertForward(
  input: Tensor,
  shared: NonNullable<MoeWeights['shared']>,
  activations: Activations,
): Tensor {
  const track = <T extends Tensor>(output: T) => activations.track(output);
  const gate = track(batchMatmul(input, shared.gate, { transposeB: true }));
  const up = track(batchMatmul(input, shared.up, { transposeB: true }));
  const hidden = track(swiglu(gate, up));
  activations.release(gate, up);
  const output = track(batchMatmul(hidden, shared.down, { transposeB: true }));
  activations.release(hidden);
  return output;
}

function softmaxGates(logits: Tensor, indices: Tensor, activations: Activations): Tensor {
  const chosen = activations.track(gatherColumns(logits, indices));
  const gates = activations.track(softmax(chosen));
  activations.release(chosen);
  return gates;
}
