import type { ModelConfig } from './config.ts';

/** What a tensor is, which decides its initial values: norms one, biases zero, the rest random. */
export type LlamaTensorKind = 'embedding' | 'norm' | 'projection' | 'bias';

export interface LlamaTensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly kind: LlamaTensorKind;
}

/** Qwen2 has biases on q, k and v only, with no config flag saying so: they are allowed, not expected. */
const OPTIONAL_QKV_BIAS = /^model\.layers\.(\d+)\.self_attn\.([qkv])_proj\.bias$/;

/** Buffers some old Llama exports carry that are recomputed from rope_theta; ignored on read. */
export const IGNORED_BUFFER = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;

/**
 * A layer's FFN tensors when config.json makes them something other than the dense SwiGLU (a
 * mixture of experts, see factor/moe-layout.ts), else undefined. Registered by the room that
 * knows the format, which this one cannot import.
 */
export type FeedForwardLayout = (
  config: ModelConfig,
  layer: number,
) => readonly LlamaTensorSpec[] | undefined;

const feedForwardLayouts: FeedForwardLayout[] = [];

export function registerFeedForwardLayout(layout: FeedForwardLayout): void {
  if (!feedForwardLayouts.includes(layout)) feedForwardLayouts.push(layout);
}

function layerTensors(config: ModelConfig, layer: number): LlamaTensorSpec[] {
  const d = config.hidden_size;
  const f = config.intermediate_size;
  const qWidth = config.num_attention_heads * config.head_dim;
  const kvWidth = config.num_key_value_heads * config.head_dim;
  const prefix = `model.layers.${layer}`;
  const linear = (name: string, outputs: number, inputs: number, bias: boolean) => {
    const weight = {
      name: `${prefix}.${name}.weight`,
      shape: [outputs, inputs],
      kind: 'projection',
    } as const;
    return bias
      ? [weight, { name: `${prefix}.${name}.bias`, shape: [outputs], kind: 'bias' } as const]
      : [weight];
  };
  return [
    { name: `${prefix}.input_layernorm.weight`, shape: [d], kind: 'norm' },
    ...linear('self_attn.q_proj', qWidth, d, config.attention_bias),
    ...linear('self_attn.k_proj', kvWidth, d, config.attention_bias),
    ...linear('self_attn.v_proj', kvWidth, d, config.attention_bias),
    ...linear('self_attn.o_proj', d, qWidth, config.attention_bias),
    { name: `${prefix}.post_attention_layernorm.weight`, shape: [d], kind: 'norm' },
    ...(feedForwardLayouts.map((layout) => layout(config, layer)).find(Boolean) ?? [
      ...linear('mlp.gate_proj', f, d, config.mlp_bias),
      ...linear('mlp.up_proj', f, d, config.mlp_bias),
      ...linear('mlp.down_proj', d, f, config.mlp_bias),
    ]),
  ];
}

/** Every tensor a Hugging Face LlamaForCausalLM checkpoint of `config` must hold, in model order. */
export function llamaTensorSpecs(config: ModelConfig): LlamaTensorSpec[] {
  const vocabulary = config.vocab_size;
  const d = config.hidden_size;
  return [
    { name: 'model.embed_tokens.weight', shape: [vocabulary, d], kind: 'embedding' },
    ...Array.from({ length: config.num_hidden_layers }, (_, layer) =>
      layerTensors(config, layer),
    ).flat(),
    { name: 'model.norm.weight', shape: [d], kind: 'norm' },
    ...(config.tie_word_embeddings
      ? []
      : [{ name: 'lm_head.weight', shape: [vocabulary, d], kind: 'projection' } as const]),
  ];
}

/** The shape a Qwen2-style q/k/v bias must have, or undefined when `name` is not one. */
export function optionalBiasShape(
  config: ModelConfig,
  name: string,
): readonly number[] | undefined {
  const match = OPTIONAL_QKV_BIAS.exec(name);
  if (!match || Number(match[1]) >= config.num_hidden_layers) return undefined;
  const heads = match[2] === 'q' ? config.num_attention_heads : config.num_key_value_heads;
  return [heads * config.head_dim];
}
