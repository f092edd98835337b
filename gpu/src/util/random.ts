/** A seeded generator of uniform numbers in [0, 1) (mulberry32): same seed, same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `length` values uniform in [-1, 1). */
export function randomFloat32Array(length: number, random: () => number): Float32Array {
  return Float32Array.from({ length }, () => random() * 2 - 1);
}

/** `length` samples of normal(0, std) by Box-Muller. */
export function normalValues(length: number, std: number, random: () => number): Float32Array {
  const values = new Float32Array(length);
  for (let index = 0; index < length; index += 2) {
    const radius = std * Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    values[index] = radius * Math.cos(angle);
    if (index + 1 < length) values[index + 1] = radius * Math.sin(angle);
  }
  return values;
}
