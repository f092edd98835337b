import { z } from 'zod';
import type { ModelConfig } from '../model/config.ts';
import { registerFeedForwardLayout } from '../model/llama-tensors.ts';
import { ModelFileError } from '../model/model-file-error.ts';
import { MAX_EXPERTS } from '../ops/fused/experts.ts';

/** The config.json key that makes a checkpoint's FFNs mixtures of experts. */
export const MOE_CONFIG_KEY = 'factorlab_moe';

/** How neurons are cut into experts: factorise.ts's splits, or by co-activation on calibration tokens. */
export const MOE_SPLITS = ['sequential', 'random', 'kmeans', 'coactivation'] as const;
export type MoeSplit = (typeof MOE_SPLITS)[number];

/** `linear`: FactorLLM's Linear(d, N) with bias; `mlp`: MoEfication's Linear(d, E) -> tanh -> Linear(E, N). */
export const ROUTER_TYPES = ['linear', 'mlp'] as const;
export type RouterType = (typeof ROUTER_TYPES)[number];

/**
 * How a token's chosen experts are weighted: `factorllm` sums them scaled by N / k (FactorLLM;
 * the router then learns only from a loss on its own logits, such as the PA prior), `softmax`
 * weights them by the router's probabilities renormalised over the chosen ones (the task loss
 * reaches the router).
 */
export const GATINGS = ['factorllm', 'softmax'] as const;
export type Gating = (typeof GATINGS)[number];

const count = z.int().positive();

/**
 * config.json's `factorlab_moe`: every FFN of the dense Llama the rest of the config describes is
 * a mixture of `num_experts` experts (tensors named by moeTensorNames), `top_k` of them chosen
 * per token by the router, plus an always-on shared expert of `shared_expert_size` neurons.
 */
export const moeConfigSchema = z
  .strictObject({
    num_experts: count.max(MAX_EXPERTS),
    top_k: count,
    gating: z.enum(GATINGS),
    router: z.enum(ROUTER_TYPES),
    /** The mlp router's hidden width E; null for a linear router. */
    router_hidden: count.nullable(),
    /** Neurons of the always-on shared expert; 0 for none. */
    shared_expert_size: z.int().nonnegative(),
    split: z.enum(MOE_SPLITS),
    seed: z.int(),
    /** Each expert's neurons, the same in every layer; given only when they differ. */
    expert_widths: z.array(count).optional(),
    /** The dense checkpoint the experts were cut from. */
    source_model: z.string(),
  })
  .superRefine((moe, context) => {
    const issue = (path: string, message: string) =>
      context.addIssue({ code: 'custom', path: [path], message });
    if (moe.top_k > moe.num_experts)
      issue('top_k', `must be at most num_experts (${moe.num_experts})`);
    if ((moe.router === 'mlp') !== (moe.router_hidden !== null))
      issue('router_hidden', 'must be set for an mlp router and null for a linear one');
    if (moe.expert_widths && moe.expert_widths.length !== moe.num_experts)
      issue('expert_widths', `must list num_experts (${moe.num_experts}) widths`);
  });

export type MoeConfig = z.output<typeof moeConfigSchema>;

/** Each expert's neuron count: expert_widths, or the routed neurons shared evenly. */
export function expertWidths(config: ModelConfig, moe: MoeConfig): number[] {
  return (
    moe.expert_widths ??
    Array.from(
      { length: moe.num_experts },
      () => (config.intermediate_size - moe.shared_expert_size) / moe.num_experts,
    )
  );
}

/**
 * The MoE settings of `config`, or undefined for a dense model; an invalid `factorlab_moe`
 * throws naming the field (`file` names config.json).
 */
export function readMoeConfig(config: ModelConfig, file = 'config.json'): MoeConfig | undefined {
  const raw = (config as Record<string, unknown>)[MOE_CONFIG_KEY];
  if (raw === undefined) return undefined;
  const parsed = moeConfigSchema.safeParse(raw);
  const fail = (field: string, message: string) => {
    throw new ModelFileError(file, `${MOE_CONFIG_KEY}.${field}: ${message}`);
  };
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(issue.path.join('.'), issue.message);
  }
  const moe = parsed.data!;
  if (config.mlp_bias)
    fail('num_experts', 'FFNs with biases (mlp_bias) cannot be mixtures of experts yet');
  const routed = config.intermediate_size - moe.shared_expert_size;
  if (routed < moe.num_experts)
    fail(
      'shared_expert_size',
      `leaves ${routed} of intermediate_size ${config.intermediate_size} neurons for ${moe.num_experts} experts`,
    );
  if (moe.expert_widths) {
    const total = moe.expert_widths.reduce((sum, width) => sum + width, 0);
    if (total !== routed)
      fail('expert_widths', `add up to ${total}, not the ${routed} routed neurons`);
  } else if (routed % moe.num_experts !== 0) {
    fail(
      'expert_widths',
      `${routed} routed neurons do not split evenly into ${moe.num_experts} experts: list each expert's width`,
    );
  }
  return moe;
}

/** The tensor names of layer `layer`'s mixture of experts (the mlp router's hidden layer and the shared expert where there are). */
export function moeTensorNames(layer: number) {
  const prefix = `model.layers.${layer}.mlp`;
  return {
    router: `${prefix}.router.weight`,
    routerBias: `${prefix}.router.bias`,
    routerHidden: `${prefix}.router.hidden.weight`,
    routerHiddenBias: `${prefix}.router.hidden.bias`,
    gate: `${prefix}.experts.gate_proj.weight`,
    up: `${prefix}.experts.up_proj.weight`,
    down: `${prefix}.experts.down_proj.weight`,
    sharedGate: `${prefix}.shared_expert.gate_proj.weight`,
    sharedUp: `${prefix}.shared_expert.up_proj.weight`,
    sharedDown: `${prefix}.shared_expert.down_proj.weight`,
  };
}

export interface MoeTensorSpec {
  name: string;
  shape: number[];
  kind: 'projection' | 'bias';
}

/**
 * The tensors of layer `layer`'s mixture of experts: the router, experts' gate and up as
 * [N, d, w] and down as [N, w, d] (w the widest expert's neurons; a narrower one's extra columns
 * are zero), and the shared expert as a dense SwiGLU of its own width (Hugging Face Linear
 * layout). For a row x [d] of the post-attention norm's output, expert e gives
 * (silu(x gate[e]) * (x up[e])) down[e]; the FFN is the gated sum of the chosen experts plus the
 * shared expert's down(silu(gate x) * up x).
 */
export function moeTensorSpecs(
  config: ModelConfig,
  moe: MoeConfig,
  layer: number,
): MoeTensorSpec[] {
  const names = moeTensorNames(layer);
  const d = config.hidden_size;
  const n = moe.num_experts;
  const w = Math.max(...expertWidths(config, moe));
  const s = moe.shared_expert_size;
  const routerInputs = moe.router_hidden ?? d;
  return [
    ...(moe.router_hidden === null
      ? []
      : [
          { name: names.routerHidden, shape: [moe.router_hidden, d], kind: 'projection' as const },
          { name: names.routerHiddenBias, shape: [moe.router_hidden], kind: 'bias' as const },
        ]),
    { name: names.router, shape: [n, routerInputs], kind: 'projection' },
    { name: names.routerBias, shape: [n], kind: 'bias' },
    { name: names.gate, shape: [n, d, w], kind: 'projection' },
    { name: names.up, shape: [n, d, w], kind: 'projection' },
    { name: names.down, shape: [n, w, d], kind: 'projection' },
    ...(s === 0
      ? []
      : [
          { name: names.sharedGate, shape: [s, d], kind: 'projection' as const },
          { name: names.sharedUp, shape: [s, d], kind: 'projection' as const },
          { name: names.sharedDown, shape: [d, s], kind: 'projection' as const },
        ]),
  ];
}

// Importing this module teaches checkpoint loading (model/) the tensors of a saved mixture of experts.
registerFeedForwardLayout((config, layer) => {
  const moe = readMoeConfig(config);
  return moe && moeTensorSpecs(config, moe, layer);
});
