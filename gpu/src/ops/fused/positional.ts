/**
 * Fuses rope (queries and keys) with the KV cache's store.
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid, perElement } from '../../kernel/wgsl.ts';
import { TOKEN_FIELDS } from './token-batch.ts';

export interface HeadLayout {
  heads: number;
  kvHeads: number;
  headSize: number;
}

/** Width of a qkv row: queries, then keys, then values. */
export function qkvWidth({ heads, kvHeads, headSize }: HeadLayout): number {
  return (heads + 2 * kvHeads) * headSize;
}

/** One layer's cache: [slots, kvHeads, capacity, headSize] for keys and for values. */
export interface LayerCache {
  keys: Tensor;
  values: Tensor;
  capacity: number;
}

/**
 * RoPE (rotate-half: dimension j < d/2 pairs with j + d/2, angle position * inverse frequency j,
 * in f32 as Hugging Face computes it) on each token's qkv row: queries rotated in place, keys
 * rotated and written with the values into the token's cache slot at its position. One invocation
 * per (token, query head, pair); the first kvHeads heads also carry a key/value pair.
 */
const ropeAndStoreKernel: KernelDefinition = {
  name: 'inference rope and store kv',
  params: {
    count: 'u32',
    heads: 'u32',
    kvHeads: 'u32',
    half: 'u32',
    capacity: 'u32',
    fields: 'u32',
    stride: 'u32',
  },
  inputs: ['tokens', 'inverseFrequencies'],
  outputs: ['qkv', 'keyCache', 'valueCache'],
  main: perElement(
    `
  let j = index % params.half;
  let head = (index / params.half) % params.heads;
  let token = index / (params.half * params.heads);
  let slot = u32(tokens[token * params.fields + 1u]);
  let position = u32(tokens[token * params.fields + 2u]);
  let angle = f32(position) * inverseFrequencies[j];
  let c = cos(angle);
  let s = sin(angle);
  let size = 2u * params.half;
  let row = token * params.stride;
  let query = row + head * size;
  let q = vec2f(qkv[query + j], qkv[query + j + params.half]);
  qkv[query + j] = q.x * c - q.y * s;
  qkv[query + j + params.half] = q.y * c + q.x * s;
  if (head < params.kvHeads) {
    let key = row + (params.heads + head) * size;
    let value = row + (params.heads + params.kvHeads + head) * size;
    let destination = ((slot * params.kvHeads + head) * params.capacity + position) * size;
    let k = vec2f(qkv[key + j], qkv[key + j + params.half]);
    keyCache[destination + j] = k.x * c - k.y * s;
    keyCache[destination + j + params.half] = k.y * c + k.x * s;
    valueCache[destination + j] = qkv[value + j];
    valueCache[destination + j + params.half] = qkv[value + j + params.half];
  }`,
  ),
};

export function ropeAndStore(
  engine: Engine,
  tokens: Tensor,
  inverseFrequencies: Tensor,
  qkv: Tensor,
  cache: LayerCache,
  layout: HeadLayout,
): void {
  const half = inverseFrequencies.size;
  const rows = qkv.shape[0]!;
  const count = rows * layout.heads * half;
  runKernel(engine, ropeAndStoreKernel, {
    operation: `rope and store kv of ${rows} tokens x ${layout.heads} heads (${layout.kvHeads} kv)`,
    inputs: [tokens, inverseFrequencies],
    outputs: [qkv, cache.keys, cache.values],
    params: {
      count,
      heads: layout.heads,
      kvHeads: layout.kvHeads,
      half,
      capacity: cache.capacity,
      fields: TOKEN_FIELDS,
      stride: qkvWidth(layout),
    },
    workgroups: grid(count),
  });
}
