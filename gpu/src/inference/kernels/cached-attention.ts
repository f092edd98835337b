import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../ops/kernel.ts';
import { grid, perRow, WORKGROUP_SIZE } from '../../ops/wgsl.ts';
import { TOKEN_FIELDS } from '../token-batch.ts';
import { qkvWidth, type HeadLayout, type LayerCache } from './positional.ts';

/** Head sizes up to this fit the kernel's per-lane accumulators. */
export const MAX_HEAD_SIZE = 4 * WORKGROUP_SIZE;

/**
 * Fused causal attention of each new token against its sequence's KV cache, grouped-query heads,
 * one workgroup per (token, head). Keys are taken a block of LANES at a time with an online
 * softmax (running max and sum), so scores are never stored: prefill and decode both use it.
 */
const cachedAttentionKernel: KernelDefinition = {
  name: 'inference cached attention',
  params: {
    rows: 'u32',
    heads: 'u32',
    kvHeads: 'u32',
    headSize: 'u32',
    capacity: 'u32',
    fields: 'u32',
    stride: 'u32',
    scale: 'f32',
  },
  inputs: ['tokens', 'qkv', 'keyCache', 'valueCache'],
  outputs: ['out'],
  main: perRow(
    `
  let token = row / params.heads;
  let head = row % params.heads;
  let kvHead = head / (params.heads / params.kvHeads);
  let slot = u32(tokens[token * params.fields + 1u]);
  let position = u32(tokens[token * params.fields + 2u]);
  let size = params.headSize;
  let queryBase = token * params.stride + head * size;
  for (var d = lane; d < size; d += LANES) { query[d] = qkv[queryBase + d] * params.scale; }
  workgroupBarrier();
  let cacheBase = (slot * params.kvHeads + kvHead) * params.capacity * size;
  var runningMax = -3.0e38;
  var runningSum = 0.0;
  var accumulators = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var start = 0u; start <= position; start += LANES) {
    let key = start + lane;
    var score = -3.0e38;
    if (key <= position) {
      var dot = 0.0;
      let keyBase = cacheBase + key * size;
      for (var d = 0u; d < size; d++) { dot += query[d] * keyCache[keyBase + d]; }
      score = dot;
    }
    let newMax = max(runningMax, workgroupMax(score, lane));
    let weight = select(0.0, exp(score - newMax), key <= position);
    weights[lane] = weight;
    let blockSum = workgroupSum(weight, lane);
    let correction = exp(runningMax - newMax);
    runningSum = runningSum * correction + blockSum;
    let keys = min(LANES, position + 1u - start);
    for (var i = 0u; i < 4u; i++) {
      let d = lane + i * LANES;
      if (d < size) {
        var value = accumulators[i] * correction;
        for (var j = 0u; j < keys; j++) {
          value += weights[j] * valueCache[cacheBase + (start + j) * size + d];
        }
        accumulators[i] = value;
      }
    }
    runningMax = newMax;
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let d = lane + i * LANES;
    if (d < size) { out[row * size + d] = accumulators[i] / runningSum; }
  }`,
    `
var<workgroup> query: array<f32, ${MAX_HEAD_SIZE}>;
var<workgroup> weights: array<f32, ${WORKGROUP_SIZE}>;`,
  ),
};

export function cachedAttention(
  engine: Engine,
  tokens: Tensor,
  qkv: Tensor,
  cache: LayerCache,
  out: Tensor,
  layout: HeadLayout,
): void {
  const { heads, kvHeads, headSize } = layout;
  const count = qkv.shape[0]!;
  runKernel(engine, cachedAttentionKernel, {
    operation: `cached attention of ${count} tokens x ${heads} heads (${kvHeads} kv)`,
    inputs: [tokens, qkv, cache.keys, cache.values],
    outputs: [out],
    params: {
      rows: count * heads,
      heads,
      kvHeads,
      headSize,
      capacity: cache.capacity,
      fields: TOKEN_FIELDS,
      stride: qkvWidth(layout),
      scale: 1 / Math.sqrt(headSize),
    },
    workgroups: grid(count * heads, 1),
  });
}
