import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReferenceConfig } from './config-f64.ts';
import { ropeInverseFrequencies } from './rope-f64.ts';
import { readSafetensorsF64 } from './safetensors-f64.ts';

/**
 * An independent float64 LlamaForCausalLM (also Qwen2 and Mistral) as transformers computes it in
 * eval mode without a cache: plain loops, nothing shared with the engine's numerics, so the
 * engine's logits can be checked against it.
 */

/** Every tensor of a checkpoint by its Hugging Face name, widened to float64. */
export type ReferenceWeights = ReadonlyMap<string, Float64Array>;

/** One layer's FFN split into experts with a router (the FactorLLM method). */
export interface ReferenceExpertLayer {
  /**
   * Intermediate-neuron indices owned by each expert: with `shared`, a partition of
   * 0..intermediate_size-1.
   */
  readonly experts: readonly (readonly number[])[];
  /** [N, hidden_size] row-major, or [N, E] after `routerHidden`. */
  readonly routerWeight: Float64Array;
  /** [N]. */
  readonly routerBias: Float64Array;
  /** MoEfication's router: logits = Linear(E, N)(tanh(Linear(d, E)(h))); weight [E, d]. */
  readonly routerHidden?: { readonly weight: Float64Array; readonly bias: Float64Array };
  /** Neurons of an always-on shared expert, added to every token's output unscaled. */
  readonly shared?: readonly number[];
}

export interface ReferenceFactorisation {
  readonly topK: number;
  /**
   * `factorllm` (default): the chosen experts summed times N / k; `softmax`: each times its
   * router probability renormalised over the chosen ones.
   */
  readonly gating?: 'factorllm' | 'softmax';
  readonly layers: readonly ReferenceExpertLayer[];
}

/**
 * Reads every tensor of the checkpoint folder `directory` with the reference's own safetensors
 * decoder: model.safetensors, or the shards model.safetensors.index.json names. F16 and BF16
 * widen exactly.
 */
export async function loadReferenceWeights(directory: string): Promise<Map<string, Float64Array>> {
  let files = ['model.safetensors'];
  try {
    const index = JSON.parse(
      await readFile(join(directory, 'model.safetensors.index.json'), 'utf8'),
    ) as { weight_map: Record<string, string> };
    files = [...new Set(Object.values(index.weight_map))].sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const weights = new Map<string, Float64Array>();
  for (const file of files)
    for (const [name, values] of await readSafetensorsF64(join(directory, file))) {
      if (weights.has(name)) throw new Error(`${name} is in more than one shard`);
      weights.set(name, values);
    }
  return weights;
}

/** Hands out tensors by name, checking their lengths, and remembers which were used. */
class WeightReader {
  private readonly used = new Set<string>();

  constructor(private readonly weights: ReferenceWeights) {}

  get(name: string, length: number): Float64Array {
    const tensor = this.weights.get(name);
    if (!tensor) throw new Error(`reference weights lack "${name}"`);
    if (tensor.length !== length)
      throw new Error(`reference weight "${name}" has ${tensor.length} values, expected ${length}`);
    this.used.add(name);
    return tensor;
  }

  optional(name: string, length: number): Float64Array | undefined {
    return this.weights.has(name) ? this.get(name, length) : undefined;
  }

  /** A tensor the model never read means the weights describe a different model: refuse it. */
  checkAllUsed(): void {
    for (const name of this.weights.keys())
      if (!this.used.has(name))
        throw new Error(
          `reference weights hold "${name}", which a model of this config does not use`,
        );
  }
}

interface Linear {
  readonly weight: Float64Array;
  readonly bias: Float64Array | undefined;
  readonly outputs: number;
  readonly inputs: number;
}

/** y = x W^T + b, W being [outputs, inputs] row-major. */
function applyLinear({ weight, bias, outputs, inputs }: Linear, x: Float64Array): Float64Array {
  const y = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) {
    let sum = bias ? bias[o]! : 0;
    const row = o * inputs;
    for (let i = 0; i < inputs; i++) sum += weight[row + i]! * x[i]!;
    y[o] = sum;
  }
  return y;
}

function rmsNorm(x: Float64Array, weight: Float64Array, eps: number): Float64Array {
  let squares = 0;
  for (const value of x) squares += value * value;
  const scale = 1 / Math.sqrt(squares / x.length + eps);
  return x.map((value, i) => value * scale * weight[i]!);
}

const silu = (value: number) => value / (1 + Math.exp(-value));

/** Rotates each head of `x` in place by position * frequency, in transformers' rotate-half layout. */
function applyRope(x: Float64Array, heads: number, headDim: number, angles: Float64Array): void {
  const half = headDim / 2;
  for (let head = 0; head < heads; head++) {
    const offset = head * headDim;
    for (let i = 0; i < half; i++) {
      const cos = Math.cos(angles[i]!);
      const sin = Math.sin(angles[i]!);
      const first = x[offset + i]!;
      const second = x[offset + half + i]!;
      x[offset + i] = first * cos - second * sin;
      x[offset + half + i] = second * cos + first * sin;
    }
  }
}

function softmax(values: Float64Array): Float64Array {
  let max = -Infinity;
  for (const value of values) max = Math.max(max, value);
  const exps = values.map((value) => Math.exp(value - max));
  let total = 0;
  for (const value of exps) total += value;
  return exps.map((value) => value / total);
}

interface Mlp {
  readonly gate: Linear;
  readonly up: Linear;
  readonly down: Linear;
}

/** silu(gate_j . h + bg_j) * (up_j . h + bu_j) for each neuron j in `neurons`. */
function neuronActivations(mlp: Mlp, h: Float64Array, neurons: readonly number[]): Float64Array {
  const d = mlp.gate.inputs;
  return Float64Array.from(neurons, (j) => {
    let gate = mlp.gate.bias ? mlp.gate.bias[j]! : 0;
    let up = mlp.up.bias ? mlp.up.bias[j]! : 0;
    for (let i = 0; i < d; i++) {
      gate += mlp.gate.weight[j * d + i]! * h[i]!;
      up += mlp.up.weight[j * d + i]! * h[i]!;
    }
    return silu(gate) * up;
  });
}

/** Adds scale * down[:, neurons] activations to `out`. */
function addDownProjection(
  mlp: Mlp,
  neurons: readonly number[],
  activations: Float64Array,
  scale: number,
  out: Float64Array,
): void {
  const f = mlp.down.inputs;
  for (let o = 0; o < out.length; o++) {
    let sum = 0;
    for (let n = 0; n < neurons.length; n++)
      sum += mlp.down.weight[o * f + neurons[n]!]! * activations[n]!;
    out[o]! += scale * sum;
  }
}

function denseMlp(mlp: Mlp, h: Float64Array): Float64Array {
  const out = mlp.down.bias ? Float64Array.from(mlp.down.bias) : new Float64Array(mlp.down.outputs);
  const all = Array.from({ length: mlp.down.inputs }, (_, j) => j);
  addDownProjection(mlp, all, neuronActivations(mlp, h, all), 1, out);
  return out;
}

/** Expert indices by descending router probability, ties to the lower index; the first k. */
function chooseExperts(probabilities: Float64Array, k: number): number[] {
  const order = Array.from(probabilities.keys());
  order.sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
  return order.slice(0, k);
}

function routerInput(layer: ReferenceExpertLayer, h: Float64Array): Float64Array {
  if (!layer.routerHidden) return h;
  const { weight, bias } = layer.routerHidden;
  return applyLinear({ weight, bias, outputs: bias.length, inputs: h.length }, h).map(Math.tanh);
}

function factorisedMlp(
  mlp: Mlp,
  layer: ReferenceExpertLayer,
  { topK, gating = 'factorllm' }: ReferenceFactorisation,
  h: Float64Array,
): Float64Array {
  const input = routerInput(layer, h);
  const router: Linear = {
    weight: layer.routerWeight,
    bias: layer.routerBias,
    outputs: layer.experts.length,
    inputs: input.length,
  };
  const probabilities = softmax(applyLinear(router, input));
  const chosen = chooseExperts(probabilities, topK);
  const chosenMass = chosen.reduce((total, expert) => total + probabilities[expert]!, 0);
  const out = mlp.down.bias ? Float64Array.from(mlp.down.bias) : new Float64Array(mlp.down.outputs);
  for (const expert of chosen) {
    const neurons = layer.experts[expert]!;
    const scale =
      gating === 'softmax' ? probabilities[expert]! / chosenMass : layer.experts.length / topK;
    addDownProjection(mlp, neurons, neuronActivations(mlp, h, neurons), scale, out);
  }
  const shared = layer.shared ?? [];
  if (shared.length > 0) addDownProjection(mlp, shared, neuronActivations(mlp, h, shared), 1, out);
  return out;
}

function checkFactorisation(config: ReferenceConfig, factorised: ReferenceFactorisation): void {
  const d = config.hidden_size;
  const f = config.intermediate_size;
  if (factorised.layers.length !== config.num_hidden_layers)
    throw new Error(
      `factorisation has ${factorised.layers.length} layers, the model ${config.num_hidden_layers}`,
    );
  factorised.layers.forEach((layer, index) => {
    const n = layer.experts.length;
    if (!Number.isInteger(factorised.topK) || factorised.topK < 1 || factorised.topK > n)
      throw new Error(`layer ${index}: topK ${factorised.topK} is not in 1..${n}`);
    const inputs = layer.routerHidden?.bias.length ?? d;
    if (layer.routerWeight.length !== n * inputs || layer.routerBias.length !== n)
      throw new Error(`layer ${index}: router must be [${n}, ${inputs}] with a [${n}] bias`);
    if (layer.routerHidden && layer.routerHidden.weight.length !== inputs * d)
      throw new Error(`layer ${index}: the router's hidden layer must be [${inputs}, ${d}]`);
    const owner = new Array<number | undefined>(f);
    for (const j of layer.shared ?? []) owner[j] = -1;
    layer.experts.forEach((neurons, expert) => {
      for (const j of neurons) {
        if (!Number.isInteger(j) || j < 0 || j >= f)
          throw new Error(`layer ${index}: expert ${expert} holds neuron ${j}, not in 0..${f - 1}`);
        if (owner[j] !== undefined)
          throw new Error(
            `layer ${index}: neuron ${j} belongs to experts ${owner[j]} and ${expert}`,
          );
        owner[j] = expert;
      }
    });
    const orphan = owner.findIndex((expert) => expert === undefined);
    if (orphan >= 0) throw new Error(`layer ${index}: neuron ${orphan} belongs to no expert`);
  });
}

/**
 * Logits [T][vocab_size] of LlamaForCausalLM for the token sequence `ids` at positions 0..T-1.
 * With `factorised`, each layer's FFN is replaced by its experts: the router's top-k experts by
 * softmax probability, summed unweighted and scaled by N / k.
 */
export function referenceLogits(
  config: ReferenceConfig,
  weights: ReferenceWeights,
  ids: readonly number[],
  factorised?: ReferenceFactorisation,
): Float64Array[] {
  if (factorised) checkFactorisation(config, factorised);
  const read = new WeightReader(weights);
  const d = config.hidden_size;
  const f = config.intermediate_size;
  const vocabulary = config.vocab_size;
  const heads = config.num_attention_heads;
  const kvHeads = config.num_key_value_heads;
  const headDim = config.head_dim;
  const eps = config.rms_norm_eps;
  const linear = (
    name: string,
    outputs: number,
    inputs: number,
    bias: 'yes' | 'no' | 'if-present',
  ) => ({
    weight: read.get(`${name}.weight`, outputs * inputs),
    bias:
      bias === 'yes'
        ? read.get(`${name}.bias`, outputs)
        : bias === 'if-present'
          ? read.optional(`${name}.bias`, outputs)
          : undefined,
    outputs,
    inputs,
  });

  const embedding = read.get('model.embed_tokens.weight', vocabulary * d);
  let hidden = ids.map((id) => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabulary)
      throw new Error(`token id ${id} is not in 0..${vocabulary - 1}`);
    return embedding.slice(id * d, (id + 1) * d);
  });

  const frequencies = ropeInverseFrequencies(config);
  const anglesAt = (position: number) => frequencies.map((frequency) => position * frequency);
  const groupSize = heads / kvHeads;
  const scale = 1 / Math.sqrt(headDim);

  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const prefix = `model.layers.${layer}`;
    // Qwen2 carries q/k/v biases with no config flag: whenever they exist, they are used.
    const qkvBias = config.attention_bias ? 'yes' : 'if-present';
    const q = linear(`${prefix}.self_attn.q_proj`, heads * headDim, d, qkvBias);
    const k = linear(`${prefix}.self_attn.k_proj`, kvHeads * headDim, d, qkvBias);
    const v = linear(`${prefix}.self_attn.v_proj`, kvHeads * headDim, d, qkvBias);
    const o = linear(
      `${prefix}.self_attn.o_proj`,
      d,
      heads * headDim,
      config.attention_bias ? 'yes' : 'no',
    );
    const inputNorm = read.get(`${prefix}.input_layernorm.weight`, d);
    const postNorm = read.get(`${prefix}.post_attention_layernorm.weight`, d);
    const mlpBias = config.mlp_bias ? 'yes' : 'no';
    const mlp: Mlp = {
      gate: linear(`${prefix}.mlp.gate_proj`, f, d, mlpBias),
      up: linear(`${prefix}.mlp.up_proj`, f, d, mlpBias),
      down: linear(`${prefix}.mlp.down_proj`, d, f, mlpBias),
    };

    const normed = hidden.map((x) => rmsNorm(x, inputNorm, eps));
    const queries = normed.map((x, position) => {
      const projected = applyLinear(q, x);
      applyRope(projected, heads, headDim, anglesAt(position));
      return projected;
    });
    const keys = normed.map((x, position) => {
      const projected = applyLinear(k, x);
      applyRope(projected, kvHeads, headDim, anglesAt(position));
      return projected;
    });
    const values = normed.map((x) => applyLinear(v, x));

    hidden = hidden.map((x, t) => {
      const attended = new Float64Array(heads * headDim);
      for (let head = 0; head < heads; head++) {
        const qOffset = head * headDim;
        const kvOffset = Math.floor(head / groupSize) * headDim;
        const scores = new Float64Array(t + 1);
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let i = 0; i < headDim; i++)
            dot += queries[t]![qOffset + i]! * keys[s]![kvOffset + i]!;
          scores[s] = dot * scale;
        }
        const weightsOverPast = softmax(scores);
        for (let s = 0; s <= t; s++)
          for (let i = 0; i < headDim; i++)
            attended[qOffset + i]! += weightsOverPast[s]! * values[s]![kvOffset + i]!;
      }
      const residual = applyLinear(o, attended).map((value, i) => value + x[i]!);
      const ffnInput = rmsNorm(residual, postNorm, eps);
      const ffn = factorised
        ? factorisedMlp(mlp, factorised.layers[layer]!, factorised, ffnInput)
        : denseMlp(mlp, ffnInput);
      return residual.map((value, i) => value + ffn[i]!);
    });
  }

  const finalNorm = read.get('model.norm.weight', d);
  const head: Linear = {
    weight: config.tie_word_embeddings ? embedding : read.get('lm_head.weight', vocabulary * d),
    bias: undefined,
    outputs: vocabulary,
    inputs: d,
  };
  read.checkAllUsed();
  return hidden.map((x) => applyLinear(head, rmsNorm(x, finalNorm, eps)));
}
