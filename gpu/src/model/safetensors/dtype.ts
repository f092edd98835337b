import { decodeFloat16, encodeFloat16 } from '../../util/float16.ts';

/** The safetensors dtypes the engine reads and writes; all widen to f32 exactly. */
export const SAFETENSORS_DTYPES = ['F32', 'F16', 'BF16'] as const;
export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

export const SAFETENSORS_DTYPE_BYTES: Record<SafetensorsDType, number> = {
  F32: 4,
  F16: 2,
  BF16: 2,
};

export function isSafetensorsDType(value: unknown): value is SafetensorsDType {
  return (SAFETENSORS_DTYPES as readonly unknown[]).includes(value);
}

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/** bfloat16 bits of `value`: the top half of its f32 bits, rounded to nearest, ties to even. */
function toBfloat16Bits(value: number): number {
  float32[0] = value;
  const bits = float32Bits[0]!;
  if (Number.isNaN(value)) return ((bits >>> 16) & 0x8000) | 0x7fc0;
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}

/** `values` as little-endian bytes of `dtype` (the host is little-endian, as Node's platforms are). */
export function encodeValues(values: Float32Array, dtype: SafetensorsDType): Uint8Array {
  switch (dtype) {
    case 'F32':
      return new Uint8Array(
        values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength),
      );
    case 'F16':
      return new Uint8Array(encodeFloat16(values).buffer, 0, values.length * 2);
    case 'BF16':
      return new Uint8Array(Uint16Array.from(values, toBfloat16Bits).buffer);
  }
}

/** Little-endian bytes of `dtype` widened to f32. */
export function decodeValues(stored: Uint8Array, dtype: SafetensorsDType): Float32Array {
  const bytes = stored.byteOffset % 4 === 0 ? stored : stored.slice();
  switch (dtype) {
    case 'F32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    case 'F16':
      return decodeFloat16(
        new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2),
        bytes.byteLength / 2,
      );
    case 'BF16': {
      // A plain loop: TypedArray.from with a map function builds a JS array of every value first
      // (1.8 GB of transient heap for TinyLlama's embeddings).
      const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
      const words = new Uint32Array(halves.length);
      for (let index = 0; index < halves.length; index++) words[index] = halves[index]! << 16;
      return new Float32Array(words.buffer);
    }
  }
}
