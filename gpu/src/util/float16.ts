// Node 20 has no Float16Array: f16 tensors cross the bus as raw IEEE half-precision bits.
const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

/** IEEE binary16 bits of `value`, rounded to nearest, ties to even. */
function toFloat16Bits(value: number): number {
  float32[0] = value;
  const bits = float32Bits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  // Below the normal range the implicit leading 1 becomes explicit and shifts into the mantissa.
  const shift = halfExponent > 0 ? 13 : 14 - halfExponent;
  if (shift > 24) return sign;
  const significand = halfExponent > 0 ? mantissa : mantissa | 0x800000;
  let half = (halfExponent > 0 ? halfExponent << 10 : 0) | (significand >>> shift);
  const remainder = significand & ((1 << shift) - 1);
  const halfway = 1 << (shift - 1);
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (remainder > halfway || (remainder === halfway && half & 1)) half++;
  return sign | half;
}

function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** `values` as f16 bits, padded with a zero to whole 4-byte words (queue writes need them). */
export function encodeFloat16(values: ArrayLike<number>): Uint16Array {
  const bits = new Uint16Array(values.length + (values.length % 2));
  for (let index = 0; index < values.length; index++) bits[index] = toFloat16Bits(values[index]!);
  return bits;
}

/** The first `length` f16 values of `bits`, widened to f32. */
export function decodeFloat16(bits: Uint16Array, length: number): Float32Array {
  const values = new Float32Array(length);
  for (let index = 0; index < length; index++) values[index] = fromFloat16Bits(bits[index]!);
  return values;
}
