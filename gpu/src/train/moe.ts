import type { LayerFactorisation } from '../factor/factorise.ts';
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
import { tensor } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import type { Activations } from './activations.ts';
import type { ParameterValues } from './parameters.ts';

/**
 * How a token's chosen experts are weighted: `factorllm` sums them scaled by N / k (FactorLLM;
 * the router then learns only from a loss on its own logits, such as the PA prior), `softmax`
 * weights them by the router's probabilities renormalised over the chosen ones (the task loss
 * reaches the router).
 */
export const GATINGS = ['factorllm', 'softmax'] as const;
export type Gating = (typeof GATINGS)[number];

export interface MoeSettings {
  experts: number;
  topK: number;
  gating: Gating;
}

/** The parameter names of layer `layer`'s mixture of experts. */
export function moeParameterNames(layer: number) {
  const prefix = `model.layers.${layer}.mlp`;
  return {
    router: `${prefix}.router.weight`,
    routerBias: `${prefix}.router.bias`,
    gate: `${prefix}.experts.gate_proj.weight`,
    up: `${prefix}.experts.up_proj.weight`,
    down: `${prefix}.experts.down_proj.weight`,
  };
}

/**
 * The dense model's `values` with every FFN cut into the experts of `layers` (weights copied, not
 * changed) and their routers: gate and up as [N, d, w], down as [N, w, d], w the largest expert's
 * width; a smaller expert's extra columns are zero, which adds nothing and gets no gradient.
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
    const f = config.intermediate_size;
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
    result.set(names.router, { shape: [experts, d], values: factorisation.routerWeight });
    result.set(names.routerBias, { shape: [experts], values: factorisation.routerBias });
    result.set(names.gate, { shape: [experts, d, width], values: gates });
    result.set(names.up, { shape: [experts, d, width], values: ups });
    result.set(names.down, { shape: [experts, width, d], values: downs });
  });
  return result;
}

export interface MoeWeights {
  router: Tensor;
  routerBias?: Tensor;
  gate: Tensor;
  up: Tensor;
  down: Tensor;
}

/**
 * The mixture-of-experts FFN of `input` [tokens, d]: the router's top-k experts per token, only
 * those computed (tokens grouped by expert), combined by the gating. Returns the output and the
 * router's logits [tokens, N] (for losses on the routing).
 */
export function moeFeedForward(
  input: Tensor,
  weights: MoeWeights,
  { experts, topK: k, gating }: MoeSettings,
  activations: Activations,
): { output: Tensor; routerLogits: Tensor } {
  const track = <T extends Tensor>(output: T) => activations.track(output);
  const product = track(batchMatmul(input, weights.router, { transposeB: true }));
  const routerLogits = weights.routerBias ? track(add(product, weights.routerBias)) : product;
  if (routerLogits !== product) activations.release(product);
  const choice = topK(routerLogits, k);
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
  const output = track(combineExperts(down, gates, groups));
  activations.release(down, gates);
  return { output, routerLogits };
}

function softmaxGates(logits: Tensor, indices: Tensor, activations: Activations): Tensor {
  const chosen = activations.track(gatherColumns(logits, indices));
  const gates = activations.track(softmax(chosen));
  activations.release(chosen);
  return gates;
}
