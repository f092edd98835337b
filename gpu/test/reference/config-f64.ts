import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * config.json as transformers reads it for LlamaForCausalLM, MistralForCausalLM and
 * Qwen2ForCausalLM: the fields the reference forward pass needs, with Hugging Face's defaults
 * filled in by this file's own code (not the engine's parser), so a wrong default in the engine
 * shows up as a logits mismatch.
 */
export interface ReferenceRopeScaling {
  readonly rope_type: 'llama3';
  readonly factor: number;
  readonly low_freq_factor: number;
  readonly high_freq_factor: number;
  readonly original_max_position_embeddings: number;
}

export interface ReferenceConfig {
  readonly vocab_size: number;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly head_dim: number;
  readonly rms_norm_eps: number;
  readonly rope_theta: number;
  readonly rope_scaling: ReferenceRopeScaling | null;
  readonly tie_word_embeddings: boolean;
  readonly attention_bias: boolean;
  readonly mlp_bias: boolean;
}

/**
 * transformers' defaults (LlamaConfig, MistralConfig and Qwen2Config agree on these): rms_norm_eps
 * 1e-6, rope_theta 10000, no rope_scaling, untied embeddings, no attention or MLP biases.
 * num_key_value_heads defaults to num_attention_heads, head_dim to hidden_size / heads.
 */
export const HF_DEFAULTS = {
  rms_norm_eps: 1e-6,
  rope_theta: 10_000,
  rope_scaling: null,
  tie_word_embeddings: false,
  attention_bias: false,
  mlp_bias: false,
} as const;

function positiveNumber(json: Record<string, unknown>, key: string): number | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !(value > 0))
    throw new Error(`reference config: ${key} must be a positive number, got ${String(value)}`);
  return value;
}

function required(json: Record<string, unknown>, key: string): number {
  const value = positiveNumber(json, key);
  if (value === undefined) throw new Error(`reference config: ${key} is missing`);
  return value;
}

function flag(json: Record<string, unknown>, key: keyof typeof HF_DEFAULTS): boolean {
  const value = json[key];
  if (value === undefined || value === null) return HF_DEFAULTS[key] as boolean;
  if (typeof value !== 'boolean') throw new Error(`reference config: ${key} must be a boolean`);
  return value;
}

function ropeScaling(value: unknown): ReferenceRopeScaling | null {
  if (value === undefined || value === null) return HF_DEFAULTS.rope_scaling;
  const scaling = value as Record<string, unknown>;
  const type = scaling.rope_type ?? scaling.type;
  if (type !== 'llama3') throw new Error(`reference config: rope_scaling ${String(type)}`);
  return {
    rope_type: 'llama3',
    factor: required(scaling, 'factor'),
    low_freq_factor: required(scaling, 'low_freq_factor'),
    high_freq_factor: required(scaling, 'high_freq_factor'),
    original_max_position_embeddings: required(scaling, 'original_max_position_embeddings'),
  };
}

/** The reference's reading of a config.json object. */
export function parseReferenceConfig(json: Record<string, unknown>): ReferenceConfig {
  const heads = required(json, 'num_attention_heads');
  const hidden = required(json, 'hidden_size');
  return {
    vocab_size: required(json, 'vocab_size'),
    hidden_size: hidden,
    intermediate_size: required(json, 'intermediate_size'),
    num_hidden_layers: required(json, 'num_hidden_layers'),
    num_attention_heads: heads,
    num_key_value_heads: positiveNumber(json, 'num_key_value_heads') ?? heads,
    head_dim: positiveNumber(json, 'head_dim') ?? hidden / heads,
    rms_norm_eps: positiveNumber(json, 'rms_norm_eps') ?? HF_DEFAULTS.rms_norm_eps,
    rope_theta: positiveNumber(json, 'rope_theta') ?? HF_DEFAULTS.rope_theta,
    rope_scaling: ropeScaling(json.rope_scaling),
    tie_word_embeddings: flag(json, 'tie_word_embeddings'),
    attention_bias: flag(json, 'attention_bias'),
    mlp_bias: flag(json, 'mlp_bias'),
  };
}

/** Reads `directory`/config.json. */
export async function loadReferenceConfig(directory: string): Promise<ReferenceConfig> {
  const text = await readFile(join(directory, 'config.json'), 'utf8');
  return parseReferenceConfig(JSON.parse(text) as Record<string, unknown>);
}
