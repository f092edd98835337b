import { open, writeFile } from 'node:fs/promises';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acquireGpu,
  assertCheckpointFits,
  Checkpoint,
  encodeValues,
  llamaTensorSpecs,
  LlamaModel,
  parseModelConfig,
  randomCheckpointEntries,
  ROW_BLOCKED_TENSORS,
  writeCheckpoint,
  type Gpu,
  type SafetensorsDType,
  type SafetensorsEntry,
} from '../../src/index.ts';
import { TINY_CONFIG, useTemporaryFolders } from './files.ts';

const temporaryFolder = useTemporaryFolders();
const tiny = parseModelConfig(TINY_CONFIG, 'config.json');

/** The tiny model's checkpoint in `dtype`, tensor `poisoned` holding `value` at element `at`. */
async function checkpointWith(
  dtype: SafetensorsDType,
  poisoned: string,
  at: number,
  value: number,
): Promise<string> {
  const folder = await temporaryFolder();
  const entries = randomCheckpointEntries(tiny, 3, 'F32').map((entry): SafetensorsEntry => {
    const bytes = entry.encode();
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4).slice();
    if (entry.name === poisoned) values[at] = value;
    return { ...entry, dtype, encode: () => encodeValues(values, dtype) };
  });
  await writeCheckpoint(folder, tiny, entries);
  return folder;
}

const EMBEDDINGS = 'model.embed_tokens.weight';
const GATE = 'model.layers.1.mlp.gate_proj.weight';

describe('non-finite weights', () => {
  it.each([
    ['F32', GATE, 17, Number.NaN, 'NaN'],
    ['BF16', GATE, 0, Number.POSITIVE_INFINITY, 'Infinity'],
    ['F16', 'model.norm.weight', 15, Number.NEGATIVE_INFINITY, '-Infinity'],
  ] as const)(
    '%s: %s refused on read, naming the tensor',
    async (dtype, name, at, value, shown) => {
      const folder = await checkpointWith(dtype, name, at, value);
      const checkpoint = await Checkpoint.open(folder);
      try {
        const expected = `${join(folder, 'model.safetensors')}: tensor "${name}" holds ${shown} at element ${at} of`;
        await expect(checkpoint.readFloat32(name)).rejects.toThrow(expected);
        if (dtype === 'F16')
          await expect(checkpoint.readFloat16Bits(name)).rejects.toThrow(expected);
        // The other tensors still read.
        expect((await checkpoint.readFloat32(EMBEDDINGS)).length).toBe(32 * 16);
      } finally {
        await checkpoint.close();
      }
    },
  );

  it('keeps them when asked, saying so once per tensor', async () => {
    const folder = await checkpointWith('F32', GATE, 17, Number.NaN);
    const warnings: string[] = [];
    const checkpoint = await Checkpoint.open(folder, {
      keepNonFinite: (warning) => warnings.push(warning),
    });
    try {
      const values = await checkpoint.readFloat32(GATE);
      expect(values[17]).toBeNaN();
      await checkpoint.readFloat32(GATE, { first: 0, count: 2 });
      expect(warnings).toEqual([
        `${join(folder, 'model.safetensors')}: tensor "${GATE}" holds NaN at element 17 of ` +
          `${values.length}, kept as asked (--keep-non-finite): every logit it reaches will be ` +
          'NaN or infinite',
      ]);
    } finally {
      await checkpoint.close();
    }
  });

  it('names the element within the whole tensor when a block of rows is read', async () => {
    const folder = await checkpointWith('F16', EMBEDDINGS, 5 * 16 + 3, Number.NaN);
    const checkpoint = await Checkpoint.open(folder);
    try {
      await expect(
        checkpoint.readFloat32(EMBEDDINGS, { first: 0, count: 4 }),
      ).resolves.toHaveLength(64);
      await expect(checkpoint.readFloat16Bits(EMBEDDINGS, { first: 4, count: 4 })).rejects.toThrow(
        `tensor "${EMBEDDINGS}" holds NaN at element 83 of 512`,
      );
    } finally {
      await checkpoint.close();
    }
  });
});

/**
 * A consistent checkpoint of `config` whose weights take `bytes` or more: a sparse file, so the
 * disk holds only its header. Only a reader that allocates before checking would notice.
 */
async function hugeCheckpoint(minimumBytes: number): Promise<string> {
  const hidden = 4096;
  const vocabulary = Math.ceil(minimumBytes / 2 / (hidden * 4));
  const config = parseModelConfig(
    {
      ...TINY_CONFIG,
      vocab_size: vocabulary,
      hidden_size: hidden,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 32,
      num_key_value_heads: 32,
    },
    'config.json',
  );
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const { name, shape } of llamaTensorSpecs(config)) {
    const bytes = shape.reduce((product, dim) => product * dim, 4);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const folder = await temporaryFolder();
  await writeFile(join(folder, 'config.json'), JSON.stringify(config));
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const file = await open(join(folder, 'model.safetensors'), 'w');
  await file.write(Buffer.concat([length, json]));
  await file.truncate(8 + json.length + offset);
  await file.close();
  return folder;
}

describe('checkpoints too large for the host or the adapter', () => {
  let gpu: Gpu;
  beforeAll(async () => {
    gpu = await acquireGpu();
  });
  afterAll(() => undefined);

  it('refuses weights larger than the free memory before reading them, with both figures', async () => {
    const free = freemem();
    const folder = await hugeCheckpoint(2 * free);
    const before = process.memoryUsage().rss;
    await expect(LlamaModel.open(gpu, folder)).rejects.toThrow(
      new RegExp(
        `^${folder}: the weights take (\\d+) bytes \\([\\d.]+ GiB\\), more than the host's free memory, \\d+ bytes \\([\\d.]+ GiB\\) \\(os\\.freemem\\(\\)\\)`,
      ),
    );
    // Nothing of the weights was read: the process grew by far less than one tensor.
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });

  it('refuses a tensor larger than the adapter allows in one buffer, naming both limits', async () => {
    const folder = await checkpointWith('F32', GATE, 0, 0);
    const checkpoint = await Checkpoint.open(folder);
    try {
      const limits = { maxBufferSize: 1_200, maxStorageBufferBindingSize: 4_096 };
      // The embeddings are uploaded a block of rows at a time: one 64-byte row must fit.
      expect(() =>
        assertCheckpointFits(checkpoint, limits, { rowBlocked: ROW_BLOCKED_TENSORS }),
      ).toThrow(
        `${folder}: tensor "model.layers.0.mlp.down_proj.weight" needs 1536 bytes (0.00 GiB) in one GPU buffer, more than the adapter allows, 1200 bytes (0.00 GiB) (maxBufferSize 1200, maxStorageBufferBindingSize 4096)`,
      );
      expect(() =>
        assertCheckpointFits(
          checkpoint,
          { maxBufferSize: 4_096, maxStorageBufferBindingSize: 48 },
          {
            rowBlocked: ROW_BLOCKED_TENSORS,
          },
        ),
      ).toThrow(
        /tensor "(lm_head|model\.embed_tokens)\.weight" needs 64 bytes \(0\.00 GiB\) in one GPU buffer for one row, more than the adapter allows, 48 bytes/,
      );
      // Half-precision weights kept in f16 need half the bytes.
      const half = await checkpointWith('F16', GATE, 0, 0);
      const halfCheckpoint = await Checkpoint.open(half);
      try {
        const roomy = { maxBufferSize: 1_024, maxStorageBufferBindingSize: 1_024 };
        expect(() =>
          assertCheckpointFits(halfCheckpoint, roomy, {
            rowBlocked: ROW_BLOCKED_TENSORS,
            halfPrecision: true,
          }),
        ).not.toThrow();
        expect(() =>
          assertCheckpointFits(halfCheckpoint, roomy, { rowBlocked: ROW_BLOCKED_TENSORS }),
        ).toThrow('needs 1536 bytes');
      } finally {
        await halfCheckpoint.close();
      }
      // The host's real free memory and the adapter's real limits take a small model.
      expect(() => assertCheckpointFits(checkpoint, gpu.device.limits)).not.toThrow();
    } finally {
      await checkpoint.close();
    }
  });
});
