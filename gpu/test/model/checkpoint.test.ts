import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Checkpoint,
  encodeValues,
  parseModelConfig,
  randomCheckpointEntries,
  writeCheckpoint,
  writeSafetensors,
  type SafetensorsEntry,
} from '../../src/index.ts';
import { TINY_CONFIG, useTemporaryFolders } from './files.ts';

const temporaryFolder = useTemporaryFolders();

const tiny = parseModelConfig(TINY_CONFIG, 'config.json');

/** A folder holding exactly these files, valid or not, written without the checkpoint's checks. */
async function folderWith(
  config: unknown,
  shards: Record<string, readonly SafetensorsEntry[]>,
  weightMap?: Record<string, string>,
): Promise<string> {
  const folder = await temporaryFolder();
  await writeFile(join(folder, 'config.json'), JSON.stringify(config));
  for (const [file, entries] of Object.entries(shards))
    await writeSafetensors(join(folder, file), entries);
  if (weightMap)
    await writeFile(
      join(folder, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
  return folder;
}

const zeros = (name: string, shape: number[]): SafetensorsEntry => ({
  name,
  dtype: 'F32',
  shape,
  encode: () => encodeValues(new Float32Array(shape.reduce((a, b) => a * b, 1)), 'F32'),
});

describe('checkpoint folders', () => {
  it('reads back what writeCheckpoint saved', async () => {
    const folder = await temporaryFolder();
    await writeCheckpoint(folder, tiny, randomCheckpointEntries(tiny, 3, 'BF16'));
    const checkpoint = await Checkpoint.open(folder);
    try {
      expect(checkpoint.config).toEqual(tiny);
      expect(checkpoint.tensorNames).toHaveLength(2 + 2 * 9 + 1);
      expect(checkpoint.info('model.layers.1.self_attn.k_proj.weight').shape).toEqual([8, 16]);
      expect(await checkpoint.readFloat32('model.norm.weight')).toEqual(
        new Float32Array(16).fill(1),
      );
      const embedding = await checkpoint.readFloat32('model.embed_tokens.weight');
      const std = Math.sqrt(embedding.reduce((sum, value) => sum + value * value, 0) / 512);
      expect(std).toBeGreaterThan(0.015);
      expect(std).toBeLessThan(0.025);
    } finally {
      await checkpoint.close();
    }
  });

  it('reads a sharded checkpoint through its index', async () => {
    const entries = randomCheckpointEntries(tiny, 1, 'F16');
    const first = entries.slice(0, 10);
    const second = entries.slice(10);
    const weightMap = Object.fromEntries([
      ...first.map(({ name }) => [name, 'model-00001-of-00002.safetensors']),
      ...second.map(({ name }) => [name, 'model-00002-of-00002.safetensors']),
    ]);
    const folder = await folderWith(
      TINY_CONFIG,
      { 'model-00001-of-00002.safetensors': first, 'model-00002-of-00002.safetensors': second },
      weightMap,
    );
    const checkpoint = await Checkpoint.open(folder);
    try {
      expect(checkpoint.tensorNames.sort()).toEqual(entries.map(({ name }) => name).sort());
      expect(await checkpoint.readFloat32('lm_head.weight')).toHaveLength(32 * 16);
      expect(await checkpoint.readFloat16Bits('model.norm.weight')).toEqual(
        new Uint16Array(16).fill(0x3c00),
      );
    } finally {
      await checkpoint.close();
    }
  });

  it('expects no lm_head when tied, and every bias when attention_bias and mlp_bias', async () => {
    const tied = parseModelConfig({ ...TINY_CONFIG, tie_word_embeddings: true }, 'c');
    const biased = parseModelConfig({ ...TINY_CONFIG, attention_bias: true, mlp_bias: true }, 'c');
    for (const config of [tied, biased]) {
      const folder = await temporaryFolder();
      const entries = randomCheckpointEntries(config, 1, 'F32');
      await writeCheckpoint(folder, config, entries);
      const checkpoint = await Checkpoint.open(folder);
      expect(checkpoint.tensorNames).toHaveLength(entries.length);
      await checkpoint.close();
    }
    const names = randomCheckpointEntries(biased, 1, 'F32').map(({ name }) => name);
    expect(names).toContain('model.layers.0.self_attn.o_proj.bias');
    expect(names).toContain('model.layers.1.mlp.down_proj.bias');
    await expect(
      writeCheckpoint(await temporaryFolder(), tied, randomCheckpointEntries(tiny, 1, 'F32')),
    ).rejects.toThrow('refusing to write: unexpected tensor "lm_head.weight"');
  });

  it('skips the rotary inv_freq buffers old Llama exports carry', async () => {
    const entries = [
      ...randomCheckpointEntries(tiny, 1, 'F32'),
      zeros('model.layers.1.self_attn.rotary_emb.inv_freq', [2]),
    ];
    const folder = await folderWith(TINY_CONFIG, { 'model.safetensors': entries });
    const checkpoint = await Checkpoint.open(folder);
    expect(checkpoint.tensorNames).toHaveLength(entries.length - 1);
    expect(checkpoint.tensorNames).not.toContain('model.layers.1.self_attn.rotary_emb.inv_freq');
    await checkpoint.close();
  });

  it("accepts Qwen2's q/k/v biases without attention_bias", async () => {
    const entries = [
      ...randomCheckpointEntries(tiny, 1, 'F32'),
      zeros('model.layers.0.self_attn.q_proj.bias', [16]),
      zeros('model.layers.0.self_attn.k_proj.bias', [8]),
      zeros('model.layers.0.self_attn.v_proj.bias', [8]),
    ];
    const checkpoint = await Checkpoint.open(
      await folderWith(TINY_CONFIG, { 'model.safetensors': entries }),
    );
    expect(checkpoint.tensorNames).toHaveLength(entries.length);
    await checkpoint.close();
  });
});

const complete = () => randomCheckpointEntries(tiny, 1, 'F32');
const without = (name: string) => complete().filter((entry) => entry.name !== name);
const SHARD_1 = 'model-00001-of-00002.safetensors';
const SHARD_2 = 'model-00002-of-00002.safetensors';
const shardedMap = () =>
  Object.fromEntries(complete().map(({ name }, index) => [name, index < 5 ? SHARD_1 : SHARD_2]));

/** Each broken folder, the file its error names (relative to the folder), and its words. */
const BROKEN: [string, () => Promise<string>, string, string][] = [
  [
    'missing tensor',
    () => folderWith(TINY_CONFIG, { 'model.safetensors': without('model.norm.weight') }),
    '',
    'missing tensor "model.norm.weight"',
  ],
  [
    'wrong shape for the config',
    () =>
      folderWith({ ...TINY_CONFIG, intermediate_size: 32 }, { 'model.safetensors': complete() }),
    'model.safetensors',
    'tensor "model.layers.0.mlp.gate_proj.weight" is [24, 16], config.json needs [32, 16]',
  ],
  [
    'unknown extra tensor',
    () =>
      folderWith(TINY_CONFIG, {
        'model.safetensors': [...complete(), zeros('model.layers.0.mlp.extra', [2])],
      }),
    'model.safetensors',
    'unexpected tensor "model.layers.0.mlp.extra"',
  ],
  [
    'a q bias on a layer the config lacks',
    () =>
      folderWith(TINY_CONFIG, {
        'model.safetensors': [...complete(), zeros('model.layers.2.self_attn.q_proj.bias', [16])],
      }),
    'model.safetensors',
    'unexpected tensor "model.layers.2.self_attn.q_proj.bias"',
  ],
  [
    'Qwen2 bias of the wrong width',
    () =>
      folderWith(TINY_CONFIG, {
        'model.safetensors': [...complete(), zeros('model.layers.0.self_attn.k_proj.bias', [16])],
      }),
    'model.safetensors',
    'tensor "model.layers.0.self_attn.k_proj.bias" is [16], config.json needs [8]',
  ],
  [
    'missing shard',
    () => folderWith(TINY_CONFIG, { [SHARD_1]: complete().slice(0, 5) }, shardedMap()),
    'model.safetensors.index.json',
    `shard "${SHARD_2}" is missing from`,
  ],
  [
    'tensor the index maps elsewhere',
    () =>
      folderWith(
        TINY_CONFIG,
        { [SHARD_1]: complete().slice(0, 6), [SHARD_2]: complete().slice(6) },
        shardedMap(),
      ),
    SHARD_1,
    'tensor "model.layers.0.self_attn.o_proj.weight" is not mapped to this shard by the index',
  ],
  [
    'shard outside the folder',
    () => folderWith(TINY_CONFIG, {}, { 'model.norm.weight': '../model.safetensors' }),
    'model.safetensors.index.json',
    'weight_map.model.norm.weight: shard must be a file name in the same folder',
  ],
  [
    'no weights',
    () => folderWith(TINY_CONFIG, {}),
    '',
    'neither model.safetensors nor model.safetensors.index.json found',
  ],
  [
    'broken config.json',
    () =>
      folderWith({ ...TINY_CONFIG, num_attention_heads: -4 }, { 'model.safetensors': complete() }),
    'config.json',
    'num_attention_heads: Too small',
  ],
  [
    'another architecture (Gemma: GELU, its own norms)',
    () =>
      folderWith(
        {
          ...TINY_CONFIG,
          model_type: 'gemma',
          architectures: ['GemmaForCausalLM'],
          hidden_act: 'gelu',
        },
        { 'model.safetensors': complete() },
      ),
    'config.json',
    'model_type: "gemma" is not supported (supported: llama, mistral, qwen2)',
  ],
  [
    'an activation other than SiLU',
    () => folderWith({ ...TINY_CONFIG, hidden_act: 'relu' }, { 'model.safetensors': complete() }),
    'config.json',
    'hidden_act: "relu" is not supported (supported: silu, swish)',
  ],
  [
    'a sliding window narrower than the sequence',
    () =>
      folderWith(
        { ...TINY_CONFIG, model_type: 'mistral', sliding_window: 8 },
        { 'model.safetensors': complete() },
      ),
    'config.json',
    'sliding_window: a sliding attention window of 8 tokens, narrower than max_position_embeddings (64)',
  ],
];

describe('broken checkpoint folders', () => {
  it.each(BROKEN)('%s', async (_, makeFolder, file, message) => {
    const folder = await makeFolder();
    await expect(Checkpoint.open(folder)).rejects.toThrow(
      `${file ? join(folder, file) : folder}: ${message}`,
    );
  });
});
