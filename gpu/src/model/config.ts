import { z } from 'zod';
import { readJsonFile } from './json-file.ts';
import { ModelFileError } from './model-file-error.ts';
import { findUnsupportedFeature, SUPPORTED_ROPE_SCALING_TYPES } from './supported-model.ts';

const size = z.int().positive();

/** Llama 3's frequency-dependent RoPE scaling. Older configs name the type `type`, newer `rope_type`. */
const ropeScalingSchema = z.preprocess(
  (value) =>
    typeof value === 'object' && value !== null && !('rope_type' in value) && 'type' in value
      ? { ...value, rope_type: value.type }
      : value,
  z.looseObject({
    rope_type: z.enum(SUPPORTED_ROPE_SCALING_TYPES, {
      error: (issue) =>
        `type ${JSON.stringify(issue.input)} is not supported (supported: ${SUPPORTED_ROPE_SCALING_TYPES.join(', ')})`,
    }),
    factor: z.number().positive(),
    low_freq_factor: z.number().positive(),
    high_freq_factor: z.number().positive(),
    original_max_position_embeddings: size,
  }),
);

/** A Llama, Mistral or Qwen2 config.json; fields keep Hugging Face's names, unknown ones are kept. */
export const modelConfigSchema = z
  .looseObject({
    vocab_size: size,
    hidden_size: size,
    intermediate_size: size,
    num_hidden_layers: size,
    num_attention_heads: size,
    num_key_value_heads: size.optional(),
    head_dim: size.optional(),
    max_position_embeddings: size,
    rms_norm_eps: z.number().positive().default(1e-6),
    rope_theta: z.number().positive().default(10_000),
    rope_scaling: ropeScalingSchema.nullable().default(null),
    tie_word_embeddings: z.boolean().default(false),
    attention_bias: z.boolean().default(false),
    mlp_bias: z.boolean().default(false),
    torch_dtype: z.enum(['float32', 'float16', 'bfloat16']).optional(),
  })
  .superRefine((config, context) => {
    const kvHeads = config.num_key_value_heads ?? config.num_attention_heads;
    if (config.num_attention_heads % kvHeads !== 0)
      context.addIssue({
        code: 'custom',
        path: ['num_key_value_heads'],
        message: `${kvHeads} does not divide num_attention_heads (${config.num_attention_heads})`,
      });
    if (config.head_dim === undefined && config.hidden_size % config.num_attention_heads !== 0)
      context.addIssue({
        code: 'custom',
        path: ['hidden_size'],
        message: `${config.hidden_size} is not a multiple of num_attention_heads (${config.num_attention_heads}) and no head_dim is given`,
      });
  })
  .transform((config) => ({
    ...config,
    num_key_value_heads: config.num_key_value_heads ?? config.num_attention_heads,
    head_dim: config.head_dim ?? config.hidden_size / config.num_attention_heads,
  }));

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type RopeScaling = NonNullable<ModelConfig['rope_scaling']>;

/**
 * Checks a parsed config.json; `file` names it in the error. What the lab does not implement is
 * refused first, so another architecture is named as such rather than by a missing Llama field.
 */
export function parseModelConfig(json: unknown, file: string): ModelConfig {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const unsupported = findUnsupportedFeature(json as Record<string, unknown>);
    if (unsupported) throw new ModelFileError(file, `${unsupported.field}: ${unsupported.problem}`);
  }
  const parsed = modelConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  throw new ModelFileError(file, field ? `${field}: ${issue.message}` : issue.message);
}

export async function readModelConfig(file: string): Promise<ModelConfig> {
  return parseModelConfig(await readJsonFile(file), file);
}
