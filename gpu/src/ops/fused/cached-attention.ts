/**
 * Fuses attention (softmax(q k^T / sqrt(d), causal) v, with repeatHeads for grouped key/value
 * heads) over the KV cache, one kernel per (token, head) pair.
 * Checked against those ops' forward in gpu/test/ops/fused/.
 */
import type { Engine } from '../../runtime/engine.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid, perElement, perRow, WORKGROUP_SIZE } from '../../kernel/wgsl.ts';
import { TOKEN_FIELDS } from './token-batch.ts';
import { LANE_WORKGROUP, type KernelTarget } from '../../kernel/kernel-target.ts';
import { qkvWidth, type HeadLayout, type LayerCache } from './positional.ts';

/** Parameters both attention kernels take besides their count of (token, head) pairs. */
const ATTENTION_PARAMS = {
  heads: 'u32',
  kvHeads: 'u32',
  headSize: 'u32',
  capacity: 'u32',
  fields: 'u32',
  stride: 'u32',
  scale: 'f32',
} as const;

const ATTENTION_BINDINGS = {
  inputs: ['tokens', 'qkv', 'keyCache', 'valueCache'],
  outputs: ['out'],
};

/** Head sizes up to this fit the kernel's per-lane accumulators. */
export const MAX_HEAD_SIZE = 4 * WORKGROUP_SIZE;

/**
 * Fused causal attention of each new token against its sequence's KV cache, grouped-query heads,
 * one workgroup per (token, head). Keys are taken a block of LANES at a time with an online
 * softmax (running max and sum), so scores are never stored: prefill and decode both use it.
 */
function attentionDefinition(vectors: boolean): KernelDefinition {
  // With head sizes a multiple of 4, queries and keys are read as vec4s for the scores.
  const scoreLoop = vectors
    ? `let keyBase = (cacheBase + key * size) / 4u;
      for (var d = 0u; d < size / 4u; d++) { dot += dot4(queryVectors[d], keyCache[keyBase + d]); }`
    : `let keyBase = cacheBase + key * size;
      for (var d = 0u; d < size; d++) { dot += query[d] * keyCache[keyBase + d]; }`;
  const storeQuery = vectors
    ? `for (var d = lane; d < size / 4u; d += LANES) {
    let at = queryBase + 4u * d;
    queryVectors[d] = vec4f(qkv[at], qkv[at + 1u], qkv[at + 2u], qkv[at + 3u]) * params.scale;
  }`
    : `for (var d = lane; d < size; d += LANES) { query[d] = qkv[queryBase + d] * params.scale; }`;
  return {
    name: `inference cached attention${vectors ? ' vec4' : ''}`,
    ...(vectors ? { elementTypes: { keyCache: 'vec4' } } : {}),
    params: { rows: 'u32', ...ATTENTION_PARAMS },
    ...ATTENTION_BINDINGS,
    main: perRow(
      `
  let token = row / params.heads;
  let head = row % params.heads;
  let kvHead = head / (params.heads / params.kvHeads);
  let slot = u32(tokens[token * params.fields + 1u]);
  let position = u32(tokens[token * params.fields + 2u]);
  let size = params.headSize;
  let queryBase = token * params.stride + head * size;
  ${storeQuery}
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
      ${scoreLoop}
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
var<workgroup> queryVectors: array<vec4f, ${MAX_HEAD_SIZE / 4}>;
var<workgroup> weights: array<f32, ${WORKGROUP_SIZE}>;
fn dot4(a: vec4f, b: vec4f) -> f32 { return dot(a, b); }`,
    ),
  };
}

/**
 * The same attention for CPU adapters, one invocation per (token, key/value head) walking its keys
 * in order with vec4 loads and an online softmax for each of the `group` query heads that share
 * that key/value head: no workgroup barriers, which cost far more than the arithmetic on a CPU (a
 * decode step over 190 keys took half the time of the workgroup kernel), and each cached key and
 * value read once for the group (lavapipe pays for every load, one lane at a time).
 */
function laneAttentionDefinition(
  workgroupSize: number,
  group: number,
  vectors: number,
): KernelDefinition {
  const heads = Array.from({ length: group }, (_, g) => g);
  const each = (line: (g: number) => string) => heads.map(line).join(' ');
  return {
    name: `inference cached attention per lane /${workgroupSize}, ${group} heads of ${vectors} vec4s`,
    params: { count: 'u32', ...ATTENTION_PARAMS },
    ...ATTENTION_BINDINGS,
    elementTypes: {
      qkv: 'vec4',
      keyCache: 'vec4',
      valueCache: 'vec4',
      out: 'vec4',
    },
    main: perElement(
      `
  let token = index / params.kvHeads;
  let kvHead = index % params.kvHeads;
  let slot = u32(tokens[token * params.fields + 1u]);
  let position = u32(tokens[token * params.fields + 2u]);
  let firstHead = kvHead * GROUP;
  let queryBase = (token * params.stride + firstHead * params.headSize) / 4u;
  var query: array<vec4f, ${group * vectors}>;
  var accumulators: array<vec4f, ${group * vectors}>;
  for (var d = 0u; d < ${group * vectors}u; d++) {
    query[d] = qkv[queryBase + d] * params.scale;
    accumulators[d] = vec4f(0.0);
  }
  let cacheBase = (slot * params.kvHeads + kvHead) * params.capacity * VECTORS;
  ${each((g) => `var runningMax${g} = -3.0e38; var runningSum${g} = 0.0;`)}
  for (var key = 0u; key <= position; key++) {
    let base = cacheBase + key * VECTORS;
    ${each((g) => `var score${g} = 0.0;`)}
    for (var d = 0u; d < VECTORS; d++) {
      let k = keyCache[base + d];
      ${each((g) => `score${g} += dot(query[${g * vectors}u + d], k);`)}
    }
    ${each(
      (g) => `let newMax${g} = max(runningMax${g}, score${g});
    let correction${g} = exp(runningMax${g} - newMax${g});
    let weight${g} = exp(score${g} - newMax${g});
    runningSum${g} = runningSum${g} * correction${g} + weight${g};
    runningMax${g} = newMax${g};`,
    )}
    for (var d = 0u; d < VECTORS; d++) {
      let v = valueCache[base + d];
      ${each(
        (g) =>
          `accumulators[${g * vectors}u + d] = accumulators[${g * vectors}u + d] * correction${g} + weight${g} * v;`,
      )}
    }
  }
  // Query heads firstHead .. firstHead + GROUP - 1 of the token: consecutive rows of out.
  let outBase = (token * params.heads + firstHead) * VECTORS;
  ${each(
    (g) => `for (var d = 0u; d < VECTORS; d++) {
    out[outBase + ${g * vectors}u + d] = accumulators[${g * vectors}u + d] / runningSum${g};
  }`,
  )}`,
      `
const GROUP = ${group}u;
const VECTORS = ${vectors}u;`,
      workgroupSize,
    ),
  };
}

/**
 * Few (token, key/value head) pairs (decoding) go in workgroups of LANE_WORKGROUP: a mostly empty
 * workgroup of 64 cost lavapipe about 1.5x as much. Many (prefill) fill whole ones.
 */
const SMALL_WORKGROUP = LANE_WORKGROUP;
const laneAttentions = new Map<string, KernelDefinition>();

function laneAttention(workgroupSize: number, group: number, vectors: number): KernelDefinition {
  const key = `${workgroupSize} ${group} ${vectors}`;
  let definition = laneAttentions.get(key);
  if (!definition) {
    definition = laneAttentionDefinition(workgroupSize, group, vectors);
    laneAttentions.set(key, definition);
  }
  return definition;
}

const definitions = [attentionDefinition(false), attentionDefinition(true)] as const;

export function cachedAttention(
  engine: Engine,
  target: KernelTarget,
  tokens: Tensor,
  qkv: Tensor,
  cache: LayerCache,
  out: Tensor,
  layout: HeadLayout,
): void {
  const { heads, kvHeads, headSize } = layout;
  const count = qkv.shape[0]!;
  const pairs = count * heads;
  const launch = {
    operation: `cached attention of ${count} tokens x ${heads} heads (${kvHeads} kv)`,
    inputs: [tokens, qkv, cache.keys, cache.values],
    outputs: [out],
  };
  // Both kernels take the same parameters; `count` and `rows` both name the (token, head) pairs.
  const params = {
    count: pairs,
    rows: pairs,
    heads,
    kvHeads,
    headSize,
    capacity: cache.capacity,
    fields: TOKEN_FIELDS,
    stride: qkvWidth(layout),
    scale: 1 / Math.sqrt(headSize),
  };
  const vectors = headSize % 4 === 0;
  if (vectors && target === 'cpu') {
    // One invocation per (token, key/value head), for the query heads that share it.
    const lanes = count * kvHeads;
    const workgroupSize = lanes < WORKGROUP_SIZE ? SMALL_WORKGROUP : WORKGROUP_SIZE;
    runKernel(engine, laneAttention(workgroupSize, heads / kvHeads, headSize / 4), {
      ...launch,
      params: { ...params, count: lanes },
      workgroups: grid(lanes, workgroupSize),
    });
  } else {
    runKernel(engine, definitions[vectors ? 1 : 0], {
      ...launch,
      params,
      workgroups: grid(pairs, 1),
    });
  }
}
