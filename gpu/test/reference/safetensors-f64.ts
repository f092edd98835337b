import { readFile } from 'node:fs/promises';

/**
 * The safetensors format and the F16 / BF16 encodings, written again for the tests so that the
 * reference reads weights, and builds f16 expectations, without the engine's code: a format bug
 * shared by the engine's reader and writer would otherwise cancel out.
 */
export type ReferenceDType = 'F32' | 'F16' | 'BF16';

export interface ReferenceTensor {
  readonly name: string;
  readonly dtype: ReferenceDType;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

const BYTES: Record<ReferenceDType, number> = { F32: 4, F16: 2, BF16: 2 };

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of `value`, rounded to nearest, ties to even (overflow to infinity). */
export function f16Bits(value: number): number {
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (Number.isNaN(value)) return 0x7e00;
  // 65520 is halfway between 65504 (the largest f16) and 65536: it and above round to infinity.
  if (magnitude >= 65_520) return sign | 0x7c00;
  if (magnitude === 0) return sign;
  // Below 2^-14 the spacing is 2^-24 (subnormals); above, 2^(e - 10) for magnitude in [2^e, 2^e+1).
  let exponent = Math.floor(Math.log2(magnitude));
  while (2 ** exponent > magnitude) exponent--;
  while (2 ** (exponent + 1) <= magnitude) exponent++;
  exponent = Math.max(exponent, -14);
  const spacing = 2 ** (exponent - 10);
  let steps = magnitude / spacing;
  const floor = Math.floor(steps);
  const remainder = steps - floor;
  steps = remainder > 0.5 || (remainder === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  // steps counts spacings from zero: 1024 of them make the implicit leading one.
  if (exponent === -14 && steps < 1024) return sign | steps;
  if (steps === 2048) return sign | ((exponent + 16) << 10);
  return sign | ((exponent + 15) << 10) | (steps - 1024);
}

/** The value of IEEE binary16 bits. */
export function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bits of `value`: its f32 bits' top half, rounded to nearest, ties to even. */
export function bf16Bits(value: number): number {
  f32[0] = value;
  const bits = f32Bits[0]!;
  if (Number.isNaN(f32[0])) return 0x7fc0;
  const lower = bits & 0xffff;
  let upper = bits >>> 16;
  if (lower > 0x8000 || (lower === 0x8000 && (upper & 1) === 1)) upper += 1;
  return upper & 0xffff;
}

export function bf16Value(bits: number): number {
  f32Bits[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}

/** `value` as f16 would hold it. */
export const roundToF16 = (value: number): number => f16Value(f16Bits(value));
/** `value` as bf16 would hold it. */
export const roundToBf16 = (value: number): number => bf16Value(bf16Bits(value));

function encode(values: ArrayLike<number>, dtype: ReferenceDType): Buffer {
  const bytes = Buffer.alloc(values.length * BYTES[dtype]);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (dtype === 'F32') bytes.writeFloatLE(value, i * 4);
    else bytes.writeUInt16LE(dtype === 'F16' ? f16Bits(value) : bf16Bits(value), i * 2);
  }
  return bytes;
}

/** A safetensors file of `tensors`: an 8-byte little-endian header length, JSON, then data. */
export function encodeSafetensors(tensors: readonly ReferenceTensor[]): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const data: Buffer[] = [];
  let offset = 0;
  for (const { name, dtype, shape, values } of tensors) {
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== values.length)
      throw new Error(`tensor ${name}: ${values.length} values for shape [${shape.join(', ')}]`);
    const bytes = encode(values, dtype);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.length] };
    data.push(bytes);
    offset += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...data]);
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Every tensor of a safetensors file in file order, values widened to float64 (exactly). */
export async function readSafetensorsTensors(
  path: string,
): Promise<(ReferenceTensor & { readonly values: Float64Array })[]> {
  const file = await readFile(path);
  const headerLength = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    HeaderEntry
  >;
  const start = 8 + headerLength;
  return Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, entry]) => {
      const dtype = entry.dtype as ReferenceDType;
      if (!(dtype in BYTES)) throw new Error(`${path}: ${name} has dtype ${entry.dtype}`);
      const [from, to] = entry.data_offsets;
      const count = entry.shape.reduce((a, b) => a * b, 1);
      if (to - from !== count * BYTES[dtype])
        throw new Error(`${path}: ${name} spans ${to - from} bytes for ${count} ${dtype} values`);
      const values = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const at = start + from + i * BYTES[dtype];
        values[i] =
          dtype === 'F32'
            ? file.readFloatLE(at)
            : dtype === 'F16'
              ? f16Value(file.readUInt16LE(at))
              : bf16Value(file.readUInt16LE(at));
      }
      return { name, dtype, shape: entry.shape, values };
    });
}

/** Every tensor of a safetensors file by name, widened to float64. */
export async function readSafetensorsF64(path: string): Promise<Map<string, Float64Array>> {
  const tensors = await readSafetensorsTensors(path);
  return new Map(tensors.map(({ name, values }) => [name, values]));
}
