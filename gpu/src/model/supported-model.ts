/**
 * What the lab implements of a Hugging Face config.json, in one place: a checkpoint is refused when
 * it asks for anything else, since running it as a Llama would compute a different model. The
 * lab's own extension keys are left to their owners: a saved mixture of experts is a Llama config
 * plus `factorlab_moe`, validated in gpu/src/factor/.
 */

/** Llama-family models the forward pass computes exactly (Qwen2's q/k/v biases included). */
export const SUPPORTED_MODEL_TYPES = ['llama', 'mistral', 'qwen2'] as const;
export const SUPPORTED_ARCHITECTURES = [
  'LlamaForCausalLM',
  'MistralForCausalLM',
  'Qwen2ForCausalLM',
] as const;
/** The gate activation of the SwiGLU feed-forward; transformers maps both names to SiLU. */
export const SUPPORTED_ACTIVATIONS = ['silu', 'swish'] as const;
export const SUPPORTED_ROPE_SCALING_TYPES = ['llama3'] as const;
/** Attention kinds `layer_types` may list: full causal attention only. */
export const SUPPORTED_LAYER_TYPES = ['full_attention'] as const;

/** One refusal: the config.json field and why, with what is supported. */
export interface UnsupportedFeature {
  readonly field: string;
  readonly problem: string;
}

const list = (values: readonly string[]) => values.join(', ');
const quoted = (value: unknown) => JSON.stringify(value);

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return (values as readonly unknown[]).includes(value);
}

/**
 * The sliding attention window the config asks for, or undefined for full attention. Mistral
 * applies `sliding_window` whenever it is set; Qwen2 only with `use_sliding_window`.
 */
function slidingWindow(config: Record<string, unknown>): unknown {
  const window = config.sliding_window;
  if (window === undefined || window === null) return undefined;
  if (config.model_type === 'qwen2' && config.use_sliding_window !== true) return undefined;
  return window;
}

function windowProblem(config: Record<string, unknown>): UnsupportedFeature | undefined {
  const window = slidingWindow(config);
  if (window === undefined) return undefined;
  const positions = config.max_position_embeddings;
  if (typeof window === 'number' && typeof positions === 'number' && window >= positions)
    return undefined; // never narrower than the longest sequence: the same as full attention
  const field = config.use_sliding_window === true ? 'use_sliding_window' : 'sliding_window';
  return {
    field,
    problem:
      `a sliding attention window of ${quoted(window)} tokens, narrower than ` +
      `max_position_embeddings (${quoted(positions)}), is not implemented (supported: full ` +
      'causal attention; to run sequences no longer than the window, set max_position_embeddings ' +
      'to the window in config.json)',
  };
}

function ropeParametersProblem(config: Record<string, unknown>): UnsupportedFeature | undefined {
  const parameters = config.rope_parameters;
  if (parameters === undefined || parameters === null) return undefined;
  if (typeof parameters !== 'object')
    return { field: 'rope_parameters', problem: 'must be an object' };
  const { rope_type: type, rope_theta: theta } = parameters as Record<string, unknown>;
  if (type !== undefined && type !== 'default')
    return {
      field: 'rope_parameters.rope_type',
      problem: `${quoted(type)} is not supported here (supported: "default"; llama3 scaling goes in rope_scaling)`,
    };
  if (theta !== undefined && theta !== (config.rope_theta ?? 10_000))
    return {
      field: 'rope_parameters.rope_theta',
      problem: `${quoted(theta)} differs from rope_theta (${quoted(config.rope_theta ?? 10_000)}); set rope_theta to it`,
    };
  return undefined;
}

/**
 * The first field of `config` (a config.json object) asking for maths the lab does not implement,
 * or undefined. Fields it leaves out get transformers' Llama defaults, which are all supported.
 */
export function findUnsupportedFeature(
  config: Record<string, unknown>,
): UnsupportedFeature | undefined {
  const { model_type: modelType, architectures, hidden_act: activation } = config;
  if (modelType !== undefined && !isOneOf(SUPPORTED_MODEL_TYPES, modelType))
    return {
      field: 'model_type',
      problem: `${quoted(modelType)} is not supported (supported: ${list(SUPPORTED_MODEL_TYPES)})`,
    };
  if (architectures !== undefined) {
    if (!Array.isArray(architectures))
      return { field: 'architectures', problem: 'must be a list of class names' };
    const other = architectures.find((name) => !isOneOf(SUPPORTED_ARCHITECTURES, name));
    if (other !== undefined)
      return {
        field: 'architectures',
        problem: `${quoted(other)} is not supported (supported: ${list(SUPPORTED_ARCHITECTURES)})`,
      };
  }
  if (activation !== undefined && !isOneOf(SUPPORTED_ACTIVATIONS, activation))
    return {
      field: 'hidden_act',
      problem: `${quoted(activation)} is not supported (supported: ${list(SUPPORTED_ACTIVATIONS)})`,
    };
  const windowed = windowProblem(config);
  if (windowed) return windowed;
  const { layer_types: layerTypes, partial_rotary_factor: rotaryFraction } = config;
  if (layerTypes !== undefined && layerTypes !== null) {
    const other = Array.isArray(layerTypes)
      ? layerTypes.find((type) => !isOneOf(SUPPORTED_LAYER_TYPES, type))
      : layerTypes;
    if (other !== undefined)
      return {
        field: 'layer_types',
        problem: `${quoted(other)} is not supported (supported: a list of ${list(SUPPORTED_LAYER_TYPES)})`,
      };
  }
  if (rotaryFraction !== undefined && rotaryFraction !== null && rotaryFraction !== 1)
    return {
      field: 'partial_rotary_factor',
      problem: `${quoted(rotaryFraction)} is not supported (supported: 1, rotary embeddings over the whole head)`,
    };
  return ropeParametersProblem(config);
}
