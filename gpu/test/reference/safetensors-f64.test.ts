import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Checkpoint, encodeValues } from '../../src/model/index.ts';
import { seededRandom } from '../../src/util/random.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { HF_DEFAULTS, parseReferenceConfig } from './config-f64.ts';
import { writeFixtureCheckpoint } from './fixtures.ts';
import { loadReferenceWeights } from './llama-f64.ts';
import {
  bf16Bits,
  encodeSafetensors,
  f16Bits,
  readSafetensorsF64,
  roundToBf16,
  roundToF16,
} from './safetensors-f64.ts';

const temporaryFolder = useTemporaryFolders();

describe("the reference's own f16 and bf16 rounding", () => {
  it('rounds to nearest, ties to even, through subnormals and overflow (worked by hand)', () => {
    const cases: [number, number, number][] = [
      // value, its f16 bits, the value f16 holds
      [0, 0x0000, 0],
      [-0.5, 0xb800, -0.5],
      [1 + 2 ** -11, 0x3c00, 1], // a tie between 1 and 1 + 2^-10: to the even 1
      [1 + 3 * 2 ** -11, 0x3c02, 1 + 2 ** -9], // a tie: to the even 1 + 2^-9
      [65_504, 0x7bff, 65_504],
      [65_519, 0x7bff, 65_504],
      [65_520, 0x7c00, Infinity],
      [2 ** -24, 0x0001, 2 ** -24], // the smallest subnormal
      [2 ** -25, 0x0000, 0], // a tie with zero: to the even zero
      [2 ** -14 - 2 ** -25, 0x0400, 2 ** -14], // the largest subnormal's tie with the smallest normal
      [-3.25, 0xc280, -3.25],
    ];
    for (const [value, bits, held] of cases) {
      expect(f16Bits(value), String(value)).toBe(bits);
      expect(roundToF16(value), String(value)).toBe(held);
    }
  });

  it('keeps bf16 as the top half of f32, rounded to nearest even', () => {
    expect(bf16Bits(1)).toBe(0x3f80);
    expect(roundToBf16(1 + 2 ** -8)).toBe(1); // a tie: to the even 1
    expect(roundToBf16(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(roundToBf16(70_000)).toBe(70_144);
    expect(roundToBf16(-0.1)).toBeCloseTo(-0.1, 2);
  });

  it("agrees with the engine's encoders on 20,000 values over f16's whole range", () => {
    const random = seededRandom(9);
    const values = Float32Array.from({ length: 20_000 }, () => {
      const magnitude = 2 ** (random() * 44 - 28);
      return random() < 0.5 ? -magnitude : magnitude;
    });
    const engineF16 = new Uint16Array(encodeValues(values, 'F16').buffer);
    const engineBf16 = new Uint16Array(encodeValues(values, 'BF16').buffer);
    values.forEach((value, i) => {
      expect(f16Bits(value), String(value)).toBe(engineF16[i]);
      expect(bf16Bits(value), String(value)).toBe(engineBf16[i]);
    });
  });
});

describe("the reference's safetensors reader and writer", () => {
  it('reads back what it wrote, in each dtype', async () => {
    const folder = await temporaryFolder();
    const values = [0.5, -1.25, 3, 1e-3, 65_504, -(2 ** -20)];
    const tensors = (['F32', 'F16', 'BF16'] as const).map((dtype) => ({
      name: `t.${dtype}`,
      dtype,
      shape: [2, 3],
      values,
    }));
    const file = join(folder, 'model.safetensors');
    await writeFile(file, encodeSafetensors(tensors));
    const read = await readSafetensorsF64(file);
    expect([...read.get('t.F32')!]).toEqual(values.map((value) => Math.fround(value)));
    expect([...read.get('t.F16')!]).toEqual(values.map(roundToF16));
    expect([...read.get('t.BF16')!]).toEqual(values.map(roundToBf16));
  });

  it.each(['F32', 'F16', 'BF16'] as const)(
    'writes %s fixture checkpoints the engine reads to the same values',
    async (dtype) => {
      const folder = await temporaryFolder();
      await writeFixtureCheckpoint(folder, { dtype, layers: 1, qkvBias: true });
      const reference = await loadReferenceWeights(folder);
      const checkpoint = await Checkpoint.open(folder);
      try {
        expect([...checkpoint.tensorNames].sort()).toEqual([...reference.keys()].sort());
        for (const [name, values] of reference)
          expect([...(await checkpoint.readFloat32(name))], name).toEqual([...values]);
      } finally {
        await checkpoint.close();
      }
    },
  );
});

describe("the reference's config.json", () => {
  it("fills in transformers' defaults where config.json leaves them out", () => {
    expect(HF_DEFAULTS).toEqual({
      rms_norm_eps: 1e-6,
      rope_theta: 10_000,
      rope_scaling: null,
      tie_word_embeddings: false,
      attention_bias: false,
      mlp_bias: false,
    });
    const config = parseReferenceConfig({
      vocab_size: 10,
      hidden_size: 12,
      intermediate_size: 20,
      num_hidden_layers: 1,
      num_attention_heads: 3,
    });
    expect(config).toEqual({
      vocab_size: 10,
      hidden_size: 12,
      intermediate_size: 20,
      num_hidden_layers: 1,
      num_attention_heads: 3,
      num_key_value_heads: 3,
      head_dim: 4,
      ...HF_DEFAULTS,
    });
  });
});
