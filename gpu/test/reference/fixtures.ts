import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '../../src/util/random.ts';
import {
  parseReferenceConfig,
  type ReferenceConfig,
  type ReferenceRopeScaling,
} from './config-f64.ts';
import type { ReferenceFactorisation } from './llama-f64.ts';
import { encodeSafetensors, type ReferenceDType } from './safetensors-f64.ts';

const ARCHITECTURES = {
  llama: 'LlamaForCausalLM',
  mistral: 'MistralForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
} as const;

/**
 * Small random Llama-family checkpoints for tests, one option per config feature. Sizes default
 * to ones that are not multiples of any tile, and values are chosen so that logits vary: weights
 * scaled by 1/sqrt(fan-in) keep activations O(1), norms are 1 +/- noise and biases are non-zero.
 */
export interface FixtureOptions {
  /** Names the architecture in config.json; the tensors follow from the other options. */
  readonly family?: keyof typeof ARCHITECTURES;
  readonly dtype?: ReferenceDType;
  readonly seed?: number;
  readonly vocabSize?: number;
  readonly hiddenSize?: number;
  readonly intermediateSize?: number;
  readonly layers?: number;
  readonly heads?: number;
  /** Defaults to `heads` (no grouped-query attention). */
  readonly kvHeads?: number;
  /** Written to config.json only when given; otherwise hidden_size / heads. */
  readonly headDim?: number;
  readonly tieWordEmbeddings?: boolean;
  /** Llama's attention_bias: biases on q, k, v and o. */
  readonly attentionBias?: boolean;
  /** Qwen2's biases on q, k and v only, present in the weights with no config flag. */
  readonly qkvBias?: boolean;
  readonly mlpBias?: boolean;
  /** Written to config.json only when given: otherwise the Hugging Face default applies. */
  readonly ropeTheta?: number;
  readonly ropeScaling?: ReferenceRopeScaling;
  /** Written to config.json only when given: otherwise the Hugging Face default applies. */
  readonly rmsNormEps?: number;
}

export interface FixtureVariant {
  readonly name: string;
  readonly options: FixtureOptions;
}

/** Wavelengths 6.3, 19.9 and 62.8+ for head_dim 16 and theta 10^4: one per llama3 branch. */
const LLAMA3_SCALING: ReferenceRopeScaling = {
  rope_type: 'llama3',
  factor: 8,
  low_freq_factor: 1,
  high_freq_factor: 4,
  original_max_position_embeddings: 32,
};

/** Between them, every supported config feature and every dtype. */
export const FIXTURE_VARIANTS: readonly FixtureVariant[] = [
  { name: 'llama-gqa-f32', options: { heads: 4, kvHeads: 2 } },
  {
    name: 'llama-head-dim-tied-biases-f32',
    options: {
      hiddenSize: 40,
      intermediateSize: 72,
      heads: 4,
      kvHeads: 2,
      headDim: 16,
      tieWordEmbeddings: true,
      attentionBias: true,
      mlpBias: true,
    },
  },
  {
    name: 'qwen2-qkv-bias-f32',
    options: {
      family: 'qwen2',
      vocabSize: 250,
      heads: 4,
      kvHeads: 1,
      qkvBias: true,
      ropeTheta: 1_000_000,
      rmsNormEps: 1e-6,
    },
  },
  {
    name: 'llama3-rope-bf16',
    options: {
      dtype: 'BF16',
      heads: 4,
      kvHeads: 2,
      headDim: 16,
      ropeScaling: LLAMA3_SCALING,
      rmsNormEps: 1e-5,
    },
  },
  {
    name: 'mistral-f16',
    options: {
      family: 'mistral',
      dtype: 'F16',
      vocabSize: 250,
      hiddenSize: 40,
      intermediateSize: 72,
      heads: 4,
      ropeTheta: 500,
    },
  },
];

const TORCH_DTYPE = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' } as const;

/** The config.json a fixture with `options` has, as written: defaults left out unless asked for. */
export function fixtureConfigJson(options: FixtureOptions = {}): Record<string, unknown> {
  const heads = options.heads ?? 4;
  return {
    architectures: [ARCHITECTURES[options.family ?? 'llama']],
    model_type: options.family ?? 'llama',
    vocab_size: options.vocabSize ?? 97,
    hidden_size: options.hiddenSize ?? 48,
    intermediate_size: options.intermediateSize ?? 100,
    num_hidden_layers: options.layers ?? 2,
    num_attention_heads: heads,
    num_key_value_heads: options.kvHeads ?? heads,
    ...(options.headDim === undefined ? {} : { head_dim: options.headDim }),
    max_position_embeddings: 128,
    ...(options.rmsNormEps === undefined ? {} : { rms_norm_eps: options.rmsNormEps }),
    ...(options.ropeTheta === undefined ? {} : { rope_theta: options.ropeTheta }),
    ...(options.ropeScaling === undefined ? {} : { rope_scaling: options.ropeScaling }),
    tie_word_embeddings: options.tieWordEmbeddings ?? false,
    attention_bias: options.attentionBias ?? false,
    mlp_bias: options.mlpBias ?? false,
    torch_dtype: TORCH_DTYPE[options.dtype ?? 'F32'],
  };
}

/** The config of a fixture with `options`, as the reference reads it. */
export function fixtureConfig(options: FixtureOptions = {}): ReferenceConfig {
  return parseReferenceConfig(fixtureConfigJson(options));
}

/** `length` samples of normal(mean, std) by Box-Muller. */
function normalValues(length: number, mean: number, std: number, random: () => number) {
  const values = new Float32Array(length);
  for (let index = 0; index < length; index += 2) {
    const radius = std * Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    values[index] = mean + radius * Math.cos(angle);
    if (index + 1 < length) values[index + 1] = mean + radius * Math.sin(angle);
  }
  return values;
}

interface FixtureTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly kind: 'embedding' | 'norm' | 'projection' | 'bias';
}

function fixtureValues(spec: FixtureTensor, random: () => number): Float32Array {
  const length = spec.shape.reduce((a, b) => a * b, 1);
  const fanIn = spec.shape[1] ?? 1;
  switch (spec.kind) {
    case 'norm':
      return normalValues(length, 1, 0.1, random);
    case 'bias':
      return normalValues(length, 0, 0.1, random);
    case 'embedding':
      return normalValues(length, 0, 0.3, random);
    case 'projection':
      // A wider lm_head spreads the logits over a few units.
      return normalValues(
        length,
        0,
        (spec.name === 'lm_head.weight' ? 2 : 1) / Math.sqrt(fanIn),
        random,
      );
  }
}

/**
 * The tensors of a Hugging Face LlamaForCausalLM checkpoint in model order, plus Qwen2-style
 * q/k/v biases when asked for: the layout transformers' modeling_llama.py defines.
 */
function fixtureTensors(config: ReferenceConfig, options: FixtureOptions): FixtureTensor[] {
  const d = config.hidden_size;
  const f = config.intermediate_size;
  const qWidth = config.num_attention_heads * config.head_dim;
  const kvWidth = config.num_key_value_heads * config.head_dim;
  const linear = (name: string, outputs: number, inputs: number, bias: boolean) => [
    { name: `${name}.weight`, shape: [outputs, inputs], kind: 'projection' } as const,
    ...(bias ? [{ name: `${name}.bias`, shape: [outputs], kind: 'bias' } as const] : []),
  ];
  const qkvBias = config.attention_bias || (options.qkvBias ?? false);
  const layers = Array.from({ length: config.num_hidden_layers }, (_, layer) => {
    const prefix = `model.layers.${layer}`;
    return [
      { name: `${prefix}.input_layernorm.weight`, shape: [d], kind: 'norm' } as const,
      ...linear(`${prefix}.self_attn.q_proj`, qWidth, d, qkvBias),
      ...linear(`${prefix}.self_attn.k_proj`, kvWidth, d, qkvBias),
      ...linear(`${prefix}.self_attn.v_proj`, kvWidth, d, qkvBias),
      ...linear(`${prefix}.self_attn.o_proj`, d, qWidth, config.attention_bias),
      { name: `${prefix}.post_attention_layernorm.weight`, shape: [d], kind: 'norm' } as const,
      ...linear(`${prefix}.mlp.gate_proj`, f, d, config.mlp_bias),
      ...linear(`${prefix}.mlp.up_proj`, f, d, config.mlp_bias),
      ...linear(`${prefix}.mlp.down_proj`, d, f, config.mlp_bias),
    ];
  });
  return [
    { name: 'model.embed_tokens.weight', shape: [config.vocab_size, d], kind: 'embedding' },
    ...layers.flat(),
    { name: 'model.norm.weight', shape: [d], kind: 'norm' },
    ...(config.tie_word_embeddings
      ? []
      : [{ name: 'lm_head.weight', shape: [config.vocab_size, d], kind: 'projection' } as const]),
  ];
}

/**
 * Writes a random checkpoint folder with `options` to `directory` (config.json and
 * model.safetensors, by the reference's own writer); returns its config as the reference reads it.
 */
export async function writeFixtureCheckpoint(
  directory: string,
  options: FixtureOptions = {},
): Promise<ReferenceConfig> {
  const json = fixtureConfigJson(options);
  const config = parseReferenceConfig(json);
  const dtype = options.dtype ?? 'F32';
  const seed = options.seed ?? 1;
  const tensors = fixtureTensors(config, options).map((spec, index) => ({
    name: spec.name,
    dtype,
    shape: spec.shape,
    values: fixtureValues(spec, seededRandom(seed * 7919 + index)),
  }));
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'config.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(join(directory, 'model.safetensors'), encodeSafetensors(tensors));
  return config;
}

/** `length` token ids in 0..vocabulary-1. */
export function fixtureTokens(vocabulary: number, length: number, seed = 1): number[] {
  const random = seededRandom(seed);
  return Array.from({ length }, () => Math.floor(random() * vocabulary));
}

/**
 * A random factorisation of every FFN of `config` into `experts` experts of near-equal size
 * (neurons shuffled, then dealt out in runs), with a router whose logits are O(1).
 */
export function randomFactorisation(
  config: ReferenceConfig,
  experts: number,
  topK: number,
  seed = 1,
): ReferenceFactorisation {
  const d = config.hidden_size;
  const f = config.intermediate_size;
  const random = seededRandom(seed);
  const layers = Array.from({ length: config.num_hidden_layers }, () => {
    const order = Array.from({ length: f }, (_, j) => j);
    for (let i = f - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return {
      experts: Array.from({ length: experts }, (_, e) =>
        order
          .slice(Math.floor((e * f) / experts), Math.floor(((e + 1) * f) / experts))
          .sort((a, b) => a - b),
      ),
      routerWeight: Float64Array.from(normalValues(experts * d, 0, 1 / Math.sqrt(d), random)),
      routerBias: Float64Array.from(normalValues(experts, 0, 0.1, random)),
    };
  });
  return { topK, layers };
}
