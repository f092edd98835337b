import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../ops/kernel.ts';
import { grid, perElement } from '../../ops/wgsl.ts';
import { TOKEN_FIELDS } from '../token-batch.ts';

/**
 * Rotate-half RoPE of one (j, j + half) pair: `angle` = position * inverse frequency j, in f32 as
 * Hugging Face computes it.
 */
const ROTATE_PAIR_WGSL = /* wgsl */ `
fn rotatePair(first: f32, second: f32, angle: f32) -> vec2f {
  let c = cos(angle);
  let s = sin(angle);
  return vec2f(first * c - second * s, second * c + first * s);
}`;

/**
 * The query part of each qkv row (its first heads x headSize values; rows are `stride` long)
 * rotated in place by the position of its token. One invocation per pair.
 */
const ropeQueriesKernel: KernelDefinition = {
  name: 'inference rope queries',
  params: { count: 'u32', heads: 'u32', half: 'u32', fields: 'u32', stride: 'u32' },
  inputs: ['tokens', 'inverseFrequencies'],
  outputs: ['qkv'],
  main: perElement(
    `
  let j = index % params.half;
  let head = (index / params.half) % params.heads;
  let token = index / (params.half * params.heads);
  let position = f32(tokens[token * params.fields + 2u]);
  let base = token * params.stride + head * 2u * params.half;
  let rotated = rotatePair(qkv[base + j], qkv[base + j + params.half], position * inverseFrequencies[j]);
  qkv[base + j] = rotated.x;
  qkv[base + j + params.half] = rotated.y;`,
    ROTATE_PAIR_WGSL,
  ),
};

export interface HeadLayout {
  heads: number;
  kvHeads: number;
  headSize: number;
}

/** Width of a qkv row: queries, then keys, then values. */
export function qkvWidth({ heads, kvHeads, headSize }: HeadLayout): number {
  return (heads + 2 * kvHeads) * headSize;
}

export function ropeQueries(
  engine: Engine,
  qkv: Tensor,
  tokens: Tensor,
  inverseFrequencies: Tensor,
  layout: HeadLayout,
): void {
  const half = inverseFrequencies.size;
  const rows = qkv.shape[0]!;
  const count = rows * layout.heads * half;
  runKernel(engine, ropeQueriesKernel, {
    operation: `rope of ${rows} tokens x ${layout.heads} heads`,
    inputs: [tokens, inverseFrequencies],
    outputs: [qkv],
    params: { count, heads: layout.heads, half, fields: TOKEN_FIELDS, stride: qkvWidth(layout) },
    workgroups: grid(count),
  });
}

/**
 * Rotates k and writes k and v of every token (from its qkv row) into its slot's cache rows at its
 * position. Caches are [slots, kvHeads, capacity, headSize]. One invocation per (token, kv head,
 * pair).
 */
const storeKeysValuesKernel: KernelDefinition = {
  name: 'inference store kv',
  params: {
    count: 'u32',
    kvHeads: 'u32',
    half: 'u32',
    capacity: 'u32',
    fields: 'u32',
    stride: 'u32',
    keyOffset: 'u32',
    valueOffset: 'u32',
  },
  inputs: ['tokens', 'inverseFrequencies', 'qkv'],
  outputs: ['keyCache', 'valueCache'],
  main: perElement(
    `
  let j = index % params.half;
  let head = (index / params.half) % params.kvHeads;
  let token = index / (params.half * params.kvHeads);
  let slot = u32(tokens[token * params.fields + 1u]);
  let position = u32(tokens[token * params.fields + 2u]);
  let source = token * params.stride + head * 2u * params.half;
  let destination = ((slot * params.kvHeads + head) * params.capacity + position) * 2u * params.half;
  let key = source + params.keyOffset;
  let rotated = rotatePair(qkv[key + j], qkv[key + j + params.half], f32(position) * inverseFrequencies[j]);
  keyCache[destination + j] = rotated.x;
  keyCache[destination + j + params.half] = rotated.y;
  let value = source + params.valueOffset;
  valueCache[destination + j] = qkv[value + j];
  valueCache[destination + j + params.half] = qkv[value + j + params.half];`,
    ROTATE_PAIR_WGSL,
  ),
};

export interface LayerCache {
  keys: Tensor;
  values: Tensor;
  capacity: number;
}

export function storeKeysValues(
  engine: Engine,
  tokens: Tensor,
  inverseFrequencies: Tensor,
  qkv: Tensor,
  cache: LayerCache,
  layout: HeadLayout,
): void {
  const half = inverseFrequencies.size;
  const rows = qkv.shape[0]!;
  const count = rows * layout.kvHeads * half;
  runKernel(engine, storeKeysValuesKernel, {
    operation: `store kv of ${rows} tokens x ${layout.kvHeads} heads`,
    inputs: [tokens, inverseFrequencies, qkv],
    outputs: [cache.keys, cache.values],
    params: {
      count,
      kvHeads: layout.kvHeads,
      half,
      capacity: cache.capacity,
      fields: TOKEN_FIELDS,
      stride: qkvWidth(layout),
      keyOffset: layout.heads * layout.headSize,
      valueOffset: (layout.heads + layout.kvHeads) * layout.headSize,
    },
    workgroups: grid(count),
  });
}
