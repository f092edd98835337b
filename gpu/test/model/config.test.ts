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
  ];

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
