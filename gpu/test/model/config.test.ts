import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig, readModelConfig } from '../../src/index.ts';
import { TINY_CONFIG, useTemporaryFolders } from './files.ts';

const temporaryFolder = useTemporaryFolders();

const LLAMA3_SCALING = {
  factor: 8,
  low_freq_factor: 1,
  high_freq_factor: 4,
  original_max_position_embeddings: 8192,
};

describe('config.json', () => {
  it('fills Hugging Face defaults and keeps unknown fields', () => {
    const config = parseModelConfig(TINY_CONFIG, 'config.json');
    expect(config).toMatchObject({
      num_key_value_heads: 2,
      head_dim: 4,
      rope_scaling: null,
      attention_bias: false,
      mlp_bias: false,
      model_type: 'llama',
    });
  });

  it("fills transformers' LlamaConfig defaults for what a config.json leaves out", () => {
    const {
      rms_norm_eps: _eps,
      rope_theta: _theta,
      tie_word_embeddings: _tied,
      num_key_value_heads: _kv,
      ...bare
    } = TINY_CONFIG;
    // Written out from transformers' LlamaConfig, not read from the parser's schema.
    expect(parseModelConfig(bare, 'c')).toMatchObject({
      rms_norm_eps: 1e-6,
      rope_theta: 10_000,
      rope_scaling: null,
      tie_word_embeddings: false,
      attention_bias: false,
      mlp_bias: false,
      num_key_value_heads: 4,
      head_dim: 4,
    });
  });

  it('defaults KV heads to the attention heads and honours an explicit head_dim', () => {
    const { num_key_value_heads: _, ...multiHead } = TINY_CONFIG;
    expect(parseModelConfig(multiHead, 'c').num_key_value_heads).toBe(4);
    const wide = parseModelConfig({ ...TINY_CONFIG, hidden_size: 18, head_dim: 8 }, 'c');
    expect(wide.head_dim).toBe(8);
  });

  it('reads llama3 rope scaling under rope_type or the older type', () => {
    const current = { ...TINY_CONFIG, rope_scaling: { rope_type: 'llama3', ...LLAMA3_SCALING } };
    const legacy = { ...TINY_CONFIG, rope_scaling: { type: 'llama3', ...LLAMA3_SCALING } };
    expect(parseModelConfig(current, 'c').rope_scaling).toMatchObject(LLAMA3_SCALING);
    expect(parseModelConfig(legacy, 'c').rope_scaling).toMatchObject({
      rope_type: 'llama3',
      ...LLAMA3_SCALING,
    });
  });

  const BAD: [string, unknown, string][] = [
    ['not an object', [1], 'c: Invalid input: expected object, received array'],
    ['missing field', { ...TINY_CONFIG, vocab_size: undefined }, 'c: vocab_size: Invalid input'],
    ['zero size', { ...TINY_CONFIG, hidden_size: 0 }, 'c: hidden_size: Too small'],
    ['fractional size', { ...TINY_CONFIG, num_hidden_layers: 1.5 }, 'c: num_hidden_layers:'],
    [
      'heads not divisible by KV heads',
      { ...TINY_CONFIG, num_key_value_heads: 3 },
      'c: num_key_value_heads: 3 does not divide num_attention_heads (4)',
    ],
    [
      'hidden not a multiple of heads',
      { ...TINY_CONFIG, hidden_size: 18 },
      'c: hidden_size: 18 is not a multiple of num_attention_heads (4) and no head_dim is given',
    ],
    [
      'unknown rope_scaling type',
      { ...TINY_CONFIG, rope_scaling: { rope_type: 'yarn', factor: 4 } },
      'c: rope_scaling.rope_type: type "yarn" is not supported (supported: llama3)',
    ],
    [
      'incomplete llama3 scaling',
      { ...TINY_CONFIG, rope_scaling: { rope_type: 'llama3', factor: 8 } },
      'c: rope_scaling.low_freq_factor:',
    ],
    ['unknown torch_dtype', { ...TINY_CONFIG, torch_dtype: 'int8' }, 'c: torch_dtype:'],
    [
      'another architecture',
      { ...TINY_CONFIG, model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] },
      'c: model_type: "gpt2" is not supported (supported: llama, mistral, qwen2)',
    ],
    [
      'another architecture whose Llama fields are missing',
      { model_type: 'gpt2', n_embd: 768 },
      'c: model_type: "gpt2" is not supported',
    ],
    [
      'an architecture class the lab does not run',
      { ...TINY_CONFIG, architectures: ['LlamaForSequenceClassification'] },
      'c: architectures: "LlamaForSequenceClassification" is not supported (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM)',
    ],
    [
      'another activation',
      { ...TINY_CONFIG, hidden_act: 'gelu_pytorch_tanh' },
      'c: hidden_act: "gelu_pytorch_tanh" is not supported (supported: silu, swish)',
    ],
    [
      "Mistral's sliding window narrower than the sequence",
      { ...TINY_CONFIG, model_type: 'mistral', sliding_window: 16 },
      'c: sliding_window: a sliding attention window of 16 tokens, narrower than max_position_embeddings (64), is not implemented (supported: full causal attention;',
    ],
    [
      "Qwen2's use_sliding_window",
      { ...TINY_CONFIG, model_type: 'qwen2', use_sliding_window: true, sliding_window: 32 },
      'c: use_sliding_window: a sliding attention window of 32 tokens',
    ],
    [
      'sliding attention layers',
      { ...TINY_CONFIG, layer_types: ['full_attention', 'sliding_attention'] },
      'c: layer_types: "sliding_attention" is not supported (supported: a list of full_attention)',
    ],
    [
      'partial rotary embeddings',
      { ...TINY_CONFIG, partial_rotary_factor: 0.5 },
      'c: partial_rotary_factor: 0.5 is not supported',
    ],
    [
      'linear rope scaling',
      { ...TINY_CONFIG, rope_scaling: { type: 'linear', factor: 2 } },
      'c: rope_scaling.rope_type: type "linear" is not supported (supported: llama3)',
    ],
    [
      'rope_parameters of another type',
      { ...TINY_CONFIG, rope_parameters: { rope_type: 'yarn', factor: 4 } },
      'c: rope_parameters.rope_type: "yarn" is not supported here',
    ],
    [
      'a rope_parameters theta that rope_theta contradicts',
      { ...TINY_CONFIG, rope_parameters: { rope_type: 'default', rope_theta: 500000 } },
      'c: rope_parameters.rope_theta: 500000 differs from rope_theta (10000); set rope_theta to it',
    ],
  ];

  it('accepts what the lab computes exactly: windows no narrower than the sequence, biases, extensions', () => {
    const accepted = [
      {
        ...TINY_CONFIG,
        model_type: 'mistral',
        architectures: ['MistralForCausalLM'],
        sliding_window: 64,
      },
      { ...TINY_CONFIG, model_type: 'mistral', sliding_window: null },
      // Qwen2 configs carry a window they do not use unless use_sliding_window is set.
      { ...TINY_CONFIG, model_type: 'qwen2', use_sliding_window: false, sliding_window: 16 },
      { ...TINY_CONFIG, hidden_act: 'silu', layer_types: ['full_attention', 'full_attention'] },
      { ...TINY_CONFIG, attention_bias: true, mlp_bias: true, partial_rotary_factor: 1 },
      { ...TINY_CONFIG, rope_parameters: { rope_type: 'default', rope_theta: 10000 } },
      // A saved mixture of experts: validated by its own schema in gpu/src/factor/, kept here.
      { ...TINY_CONFIG, factorlab_moe: { experts: 4 } },
    ];
    for (const json of accepted) expect(parseModelConfig(json, 'c')).toMatchObject(json);
  });

  it.each(BAD)('refuses %s', (_, json, message) => {
    expect(() => parseModelConfig(json, 'c')).toThrow(message);
  });

  it('names the file when it is missing or not JSON', async () => {
    const folder = await temporaryFolder();
    const path = join(folder, 'config.json');
    await expect(readModelConfig(path)).rejects.toThrow(`${path}: file not found`);
    await writeFile(path, '{"hidden_size": 16,');
    await expect(readModelConfig(path)).rejects.toThrow(`${path}: not valid JSON`);
  });
});
