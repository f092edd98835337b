import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodeValues,
  MAX_HEADER_BYTES,
  SafetensorsFile,
  writeSafetensors,
  type SafetensorsDType,
} from '../../src/index.ts';
import { rawSafetensors, useTemporaryFolders, writeRaw } from './files.ts';

const temporaryFolder = useTemporaryFolders();

/** Values every dtype holds exactly: small integers and binary fractions. */
const EXACT = Float32Array.of(0, 1, -2, 0.5, -0.25, 3, 1024, -0.125, 7, 0.75, -6, 2);

describe('safetensors round trip', () => {
  it.each(['F32', 'F16', 'BF16'] as const)('%s tensors come back as written', async (dtype) => {
    const path = join(await temporaryFolder(), 'model.safetensors');
    await writeSafetensors(
      path,
      [
        { name: 'b', dtype, shape: [3, 4], encode: () => encodeValues(EXACT, dtype) },
        { name: 'a', dtype, shape: [2], encode: () => encodeValues(EXACT.subarray(0, 2), dtype) },
        { name: 'empty', dtype, shape: [0, 4], encode: () => new Uint8Array() },
      ],
      { format: 'pt' },
    );
    const file = await SafetensorsFile.open(path);
    try {
      expect([...file.tensors.keys()]).toEqual(['a', 'b', 'empty']);
      expect(file.header.metadata).toEqual({ format: 'pt' });
      expect(file.info('b')).toEqual({
        dtype,
        shape: [3, 4],
        begin: file.info('a').end,
        end: file.info('a').end + 12 * (dtype === 'F32' ? 4 : 2),
      });
      expect(await file.readFloat32('b')).toEqual(EXACT);
      expect(await file.readFloat32('a')).toEqual(EXACT.subarray(0, 2));
      expect(await file.readFloat32('empty')).toEqual(new Float32Array());
    } finally {
      await file.close();
    }
  });

  it('rounds to nearest even when narrowing, and keeps f16 bits on request', async () => {
    const path = join(await temporaryFolder(), 'x.safetensors');
    const entry = (name: string, dtype: SafetensorsDType, values: number[]) => ({
      name,
      dtype,
      shape: [values.length],
      encode: () => encodeValues(Float32Array.from(values), dtype),
    });
    // Halfway cases: ties go to the even neighbour (1 below, 1 + 2 ulps above).
    await writeSafetensors(path, [
      entry('half', 'F16', [1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 1e-8]),
      entry('brain', 'BF16', [1 + 2 ** -8, 1 + 3 * 2 ** -8, 65504, Number.NaN]),
    ]);
    const file = await SafetensorsFile.open(path);
    try {
      expect(await file.readFloat32('half')).toEqual(Float32Array.of(1, 1 + 2 ** -9, 65504, 0));
      expect([...(await file.readFloat16Bits('half'))]).toEqual([0x3c00, 0x3c02, 0x7bff, 0]);
      expect(await file.readFloat32('brain')).toEqual(
        Float32Array.of(1, 1 + 2 ** -6, 65536, Number.NaN),
      );
      await expect(file.readFloat16Bits('brain')).rejects.toThrow(
        'tensor "brain" is BF16, not F16',
      );
    } finally {
      await file.close();
    }
  });

  it('pads the header with spaces to 8 bytes and writes equal bytes for equal input', async () => {
    const folder = await temporaryFolder();
    const write = (path: string, names: string[]) =>
      writeSafetensors(
        path,
        names.map((name) => ({
          name,
          dtype: 'F32',
          shape: [1],
          encode: () => encodeValues(EXACT.subarray(0, 1), 'F32'),
        })),
      );
    await write(join(folder, 'one'), ['x', 'yy', 'zzz']);
    await write(join(folder, 'two'), ['zzz', 'x', 'yy']);
    const bytes = await readFile(join(folder, 'one'));
    expect(bytes).toEqual(await readFile(join(folder, 'two')));
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    expect(bytes.subarray(8, 8 + headerLength).toString()).toMatch(/^\{.*\} *$/);
  });

  it('leaves no file behind when a tensor fails to encode', async () => {
    const folder = await temporaryFolder();
    const path = join(folder, 'model.safetensors');
    await expect(
      writeSafetensors(path, [
        { name: 'x', dtype: 'F32', shape: [2], encode: () => new Uint8Array(4) },
      ]),
    ).rejects.toThrow('tensor "x" encodes to 4 bytes, F32 [2] needs 8');
    expect(await readdir(folder)).toEqual([]);
  });
});

const F32_PAIR = new Uint8Array(8);
const entry = (dtype: unknown, shape: unknown, offsets: unknown) => ({
  dtype,
  shape,
  data_offsets: offsets,
});
const header = (tensors: Record<string, unknown>) => JSON.stringify(tensors);

/** Each malformed file, and the words its error must contain. */
const MALFORMED: [string, Buffer, string][] = [
  [
    'truncated header length',
    Buffer.from([1, 0, 0]),
    'truncated: 3 bytes, too short for the 8-byte header length',
  ],
  [
    'header length beyond the file',
    rawSafetensors('{}', new Uint8Array(), 1000n),
    'header length 1000 runs past the end of the file (10 bytes)',
  ],
  [
    'huge header length',
    rawSafetensors('{}', new Uint8Array(), 2n ** 63n),
    `header length ${2n ** 63n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`,
  ],
  ['header not JSON', rawSafetensors('{"a": '), 'header is not valid JSON'],
  ['header JSON not an object', rawSafetensors('[1, 2]'), 'header is not a JSON object'],
  [
    'tensor entry not an object',
    rawSafetensors(header({ x: 3 })),
    'tensor "x": entry is not an object',
  ],
  [
    'unknown dtype',
    rawSafetensors(header({ x: entry('I64', [1], [0, 8]) }), F32_PAIR),
    'tensor "x": dtype "I64" is not supported (supported: F32, F16, BF16)',
  ],
  [
    'negative dim',
    rawSafetensors(header({ x: entry('F32', [-2], [0, 8]) }), F32_PAIR),
    'tensor "x": shape [-2] must be a list of non-negative integers',
  ],
  [
    'fractional dim',
    rawSafetensors(header({ x: entry('F32', [1.5], [0, 8]) }), F32_PAIR),
    'tensor "x": shape [1.5] must be a list of non-negative integers',
  ],
  [
    'offsets not a pair',
    rawSafetensors(header({ x: entry('F32', [2], [0]) }), F32_PAIR),
    'tensor "x": data_offsets [0] must be two non-negative integers',
  ],
  [
    'offsets outside data',
    rawSafetensors(header({ x: entry('F32', [4], [0, 16]) }), F32_PAIR),
    'tensor "x": data_offsets [0, 16] run past the end of the data (8 bytes)',
  ],
  [
    'begin after end',
    rawSafetensors(header({ x: entry('F32', [0], [8, 0]) }), F32_PAIR),
    'tensor "x": data_offsets [8, 0] begin after they end',
  ],
  [
    'size/shape mismatch',
    rawSafetensors(header({ x: entry('F32', [3], [0, 8]) }), F32_PAIR),
    'tensor "x": data_offsets [0, 8] hold 8 bytes, but F32 [3] needs 12',
  ],
  [
    'overlapping tensors',
    rawSafetensors(
      header({ x: entry('F32', [2], [0, 8]), y: entry('F32', [1], [4, 8]) }),
      F32_PAIR,
    ),
    'tensors "x" and "y" overlap',
  ],
  [
    'gap between tensors',
    rawSafetensors(header({ x: entry('F32', [1], [4, 8]) }), F32_PAIR),
    '4 unused bytes before tensor "x"',
  ],
  [
    'trailing bytes',
    rawSafetensors(header({ x: entry('F32', [1], [0, 4]) }), F32_PAIR),
    '4 bytes after the last tensor belong to no tensor',
  ],
  [
    'metadata not strings',
    rawSafetensors(header({ __metadata__: { format: 1 } })),
    '"__metadata__" must be an object of strings',
  ],
];

describe('malformed safetensors files', () => {
  it.each(MALFORMED)('%s', async (_, bytes, message) => {
    const path = await writeRaw(join(await temporaryFolder(), 'bad.safetensors'), bytes);
    await expect(SafetensorsFile.open(path)).rejects.toThrow(`${path}: ${message}`);
  });

  it('a missing file', async () => {
    const path = join(await temporaryFolder(), 'absent.safetensors');
    await expect(SafetensorsFile.open(path)).rejects.toThrow(`${path}: file not found`);
  });
});
