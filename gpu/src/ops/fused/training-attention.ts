/**
 * Causal grouped-query attention for training, fused flash-attention style: the same maths as the
 * attention op (softmax(q k^T / sqrt(headSize), causal) v, the queries the last positions of the
 * keys) without materialising the score matrix. Forward keeps the output and each query row's
 * log-sum-exp of its scaled scores; backward recomputes the scores key by key from them.
 * Checked against the attention op and a float64 reference in gpu/test/ops/fused/.
 */
import { applyOp } from '../apply.ts';
import { defineOp } from '../registry.ts';
import { checkDtype, describeCall } from '../../kernel/checks.ts';
import { runKernel, type KernelDefinition } from '../../kernel/kernel.ts';
import { grid } from '../../kernel/wgsl.ts';
import { allocateTensor } from '../../tensor/create.ts';
import { formatShape, sameShape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';

/** Largest head size: every invocation holds a few rows of this length in private arrays. */
export const MAX_FUSED_HEAD_SIZE = 128;

/**
 * Invocations per workgroup. lavapipe runs them as the SIMD lanes of one thread: a key (or query)
 * row every lane reads is loaded once for all of them.
 */
const LANES = 8;

/**
 * Rows each invocation holds: every key (or query) row it loads serves that many, which is what
 * makes these kernels fast on lavapipe, where loads rather than FMAs bound them. A block is
 * LANES x ROWS_PER_LANE rows; its last row's keys bound what the whole block reads.
 */
const ROWS_PER_LANE = 4;
const BLOCK = LANES * ROWS_PER_LANE;

const PARAMS = {
  blocks: 'u32',
  headSize: 'u32',
  parts: 'u32',
  heads: 'u32',
  kvHeads: 'u32',
  groups: 'u32',
  queries: 'u32',
  keys: 'u32',
  offset: 'u32',
  scale: 'f32',
} as const;

const ROWS = Array.from({ length: ROWS_PER_LANE }, (_, r) => r);
/** One line (or block) of WGSL for each of a lane's rows. */
const eachRow = (line: (r: number) => string) => ROWS.map(line).join('\n');

/**
 * WGSL expressions for head rows of params.headSize values held as params.parts vec4s (the last
 * padded with zeros), walked by loops over parts, so that code size does not grow with the head
 * size. Rows of whole vec4s are bound as arrays of vec4 (one load a part).
 */
class HeadRows {
  constructor(readonly vectorised: boolean) {}

  get variant(): string {
    return this.vectorised ? 'vec4 rows' : 'f32 rows';
  }

  /**
   * The head size is a uniform, not a constant: loops over parts with a constant trip count are
   * unrolled, and the unrolled kernels took minutes to compile on lavapipe.
   */
  get constants(): string {
    return `const MAX_PARTS = ${MAX_FUSED_HEAD_SIZE / 4}u;`;
  }

  elementTypes(arrays: readonly string[]): Record<string, 'vec4'> {
    return this.vectorised ? Object.fromEntries(arrays.map((name) => [name, 'vec4'])) : {};
  }

  /** Part `part` (a WGSL u32) of the row of `array` starting at element `base`. */
  load(array: string, base: string, part = 'p'): string {
    if (this.vectorised) return `${array}[(${base}) / 4u + ${part}]`;
    const lanes = [0, 1, 2, 3].map((lane) => {
      const column = `4u * ${part} + ${lane}u`;
      return `select(0.0, ${array}[${base} + min(${column}, params.headSize - 1u)], ${column} < params.headSize)`;
    });
    return `vec4f(${lanes.join(', ')})`;
  }

  /** Writes `value` as part `part` of the row of `array` starting at element `base`. */
  store(array: string, base: string, value: string, part = 'p'): string {
    if (this.vectorised) return `${array}[(${base}) / 4u + ${part}] = ${value};`;
    return `{
      let values = ${value};
      for (var lane = 0u; lane < 4u; lane++) {
        let column = 4u * ${part} + lane;
        if (column < params.headSize) { ${array}[${base} + column] = values[lane]; }
      }
    }`;
  }
}

/**
 * `fn main` over blocks of BLOCK rows of one (batch, head): `first` and `last` the block's first
 * and last rows; lane row r is `row`r = first + r * LANES + lane (clamped to `first` past
 * `rowCount`), `isRow`r whether it is a real row.
 */
function blockMain(headRows: HeadRows, rowCount: string, body: string): string {
  return /* wgsl */ `
${headRows.constants}
const LOWEST = -3.0e38;

@compute @workgroup_size(${LANES})
fn main(
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(num_workgroups) workgroupCount: vec3u,
  @builtin(local_invocation_index) lane: u32,
) {
  let flat = workgroup.x + workgroup.y * workgroupCount.x;
  if (flat >= params.blocks) { return; }
  let blocksPerHead = (${rowCount} + ${BLOCK - 1}u) / ${BLOCK}u;
  let head = flat / blocksPerHead;
  let first = flat % blocksPerHead * ${BLOCK}u;
  let last = first + ${BLOCK - 1}u;
${eachRow(
  (r) => `  let isRow${r} = first + ${r * LANES}u + lane < ${rowCount};
  let row${r} = select(first, first + ${r * LANES}u + lane, isRow${r});`,
)}
${body}
}`;
}

/** Start of the keys and values of query head `head` (batch-major), in elements. */
const KV_BASE = `(head / params.heads * params.kvHeads + head % params.heads / params.groups) *
    params.keys * params.headSize`;

/** o = softmax(q k^T * scale) v row by row, online over the keys; lse = log-sum-exp of scores. */
function forwardKernel(headRows: HeadRows): KernelDefinition {
  return {
    name: `training attention forward (${headRows.variant})`,
    params: PARAMS,
    inputs: ['q', 'k', 'v'],
    outputs: ['o', 'lse'],
    elementTypes: headRows.elementTypes(['q', 'k', 'v', 'o']),
    main: blockMain(
      headRows,
      'params.queries',
      `
  let kvBase = ${KV_BASE};
${eachRow(
  (r) => `  let qBase${r} = (head * params.queries + row${r}) * params.headSize;
  var query${r}: array<vec4f, MAX_PARTS>;
  var acc${r}: array<vec4f, MAX_PARTS>;
  var runningMax${r} = LOWEST;
  var total${r} = 0.0;
  let visible${r} = row${r} + params.offset + 1u;`,
)}
  for (var p = 0u; p < params.parts; p++) {
${eachRow((r) => `    query${r}[p] = ${headRows.load('q', `qBase${r}`)} * params.scale;`)}
  }
  let end = min(last + params.offset + 1u, params.keys);
  for (var j = 0u; j < end; j++) {
    let keyBase = kvBase + j * params.headSize;
${eachRow((r) => `    var score${r} = 0.0;`)}
    for (var p = 0u; p < params.parts; p++) {
      let key = ${headRows.load('k', 'keyBase')};
${eachRow((r) => `      score${r} += dot(query${r}[p], key);`)}
    }
${eachRow(
  (r) => `    let seen${r} = j < visible${r};
    let newMax${r} = max(runningMax${r}, select(LOWEST, score${r}, seen${r}));
    let correction${r} = exp(runningMax${r} - newMax${r});
    let weight${r} = select(0.0, exp(score${r} - newMax${r}), seen${r});
    total${r} = total${r} * correction${r} + weight${r};
    runningMax${r} = newMax${r};`,
)}
    for (var p = 0u; p < params.parts; p++) {
      let value = ${headRows.load('v', 'keyBase')};
${eachRow((r) => `      acc${r}[p] = fma(vec4f(weight${r}), value, acc${r}[p] * correction${r});`)}
    }
  }
${eachRow(
  (r) => `  if (isRow${r}) {
    let inverse = 1.0 / total${r};
    for (var p = 0u; p < params.parts; p++) { ${headRows.store('o', `qBase${r}`, `acc${r}[p] * inverse`)} }
    lse[head * params.queries + row${r}] = runningMax${r} + log(total${r});
  }`,
)}`,
    ),
  };
}

/**
 * dq = scale * sum_j ds_ij k_j with p_ij = exp(s_ij - lse_i), dp_ij = do_i . v_j and
 * ds_ij = p_ij (dp_ij - delta_i), delta_i = do_i . o_i (written for the key-side kernel).
 */
function queryGradKernel(headRows: HeadRows): KernelDefinition {
  return {
    name: `training attention backward queries (${headRows.variant})`,
    params: PARAMS,
    inputs: ['q', 'k', 'v', 'o', 'lse', 'dO'],
    outputs: ['dQ', 'delta'],
    elementTypes: headRows.elementTypes(['q', 'k', 'v', 'o', 'dO', 'dQ']),
    main: blockMain(
      headRows,
      'params.queries',
      `
  let kvBase = ${KV_BASE};
${eachRow(
  (r) => `  let rowIndex${r} = head * params.queries + row${r};
  let qBase${r} = rowIndex${r} * params.headSize;
  var query${r}: array<vec4f, MAX_PARTS>;
  var gradOut${r}: array<vec4f, MAX_PARTS>;
  var grad${r}: array<vec4f, MAX_PARTS>;
  var rowDelta${r} = 0.0;
  let rowLse${r} = lse[rowIndex${r}];
  let visible${r} = row${r} + params.offset + 1u;`,
)}
  for (var p = 0u; p < params.parts; p++) {
${eachRow(
  (r) => `    query${r}[p] = ${headRows.load('q', `qBase${r}`)} * params.scale;
    gradOut${r}[p] = ${headRows.load('dO', `qBase${r}`)};
    rowDelta${r} += dot(gradOut${r}[p], ${headRows.load('o', `qBase${r}`)});`,
)}
  }
  let end = min(last + params.offset + 1u, params.keys);
  for (var j = 0u; j < end; j++) {
    let keyBase = kvBase + j * params.headSize;
${eachRow((r) => `    var score${r} = 0.0;\n    var gradWeight${r} = 0.0;`)}
    for (var p = 0u; p < params.parts; p++) {
      let key = ${headRows.load('k', 'keyBase')};
      let value = ${headRows.load('v', 'keyBase')};
${eachRow(
  (r) => `      score${r} += dot(query${r}[p], key);
      gradWeight${r} += dot(gradOut${r}[p], value);`,
)}
    }
${eachRow(
  (r) => `    let weight${r} = select(0.0, exp(score${r} - rowLse${r}), j < visible${r});
    let gradScore${r} = vec4f(weight${r} * (gradWeight${r} - rowDelta${r}));`,
)}
    for (var p = 0u; p < params.parts; p++) {
      let key = ${headRows.load('k', 'keyBase')};
${eachRow((r) => `      grad${r}[p] = fma(gradScore${r}, key, grad${r}[p]);`)}
    }
  }
${eachRow(
  (r) => `  if (isRow${r}) {
    for (var p = 0u; p < params.parts; p++) {
      ${headRows.store('dQ', `qBase${r}`, `grad${r}[p] * params.scale`)}
    }
    delta[rowIndex${r}] = rowDelta${r};
  }`,
)}`,
    ),
  };
}

/**
 * Per key row j of one kv head, over every query of the heads that share it:
 * dv_j = sum_i p_ij do_i and dk_j = scale * sum_i ds_ij q_i.
 */
function keyGradKernel(headRows: HeadRows): KernelDefinition {
  return {
    name: `training attention backward keys (${headRows.variant})`,
    params: PARAMS,
    inputs: ['q', 'k', 'v', 'lse', 'delta', 'dO'],
    outputs: ['dK', 'dV'],
    elementTypes: headRows.elementTypes(['q', 'k', 'v', 'dO', 'dK', 'dV']),
    main: blockMain(
      headRows,
      'params.keys',
      `
${eachRow(
  (r) => `  let kvBase${r} = (head * params.keys + row${r}) * params.headSize;
  var key${r}: array<vec4f, MAX_PARTS>;
  var value${r}: array<vec4f, MAX_PARTS>;
  var gradKey${r}: array<vec4f, MAX_PARTS>;
  var gradValue${r}: array<vec4f, MAX_PARTS>;`,
)}
  for (var p = 0u; p < params.parts; p++) {
${eachRow(
  (r) => `    key${r}[p] = ${headRows.load('k', `kvBase${r}`)} * params.scale;
    value${r}[p] = ${headRows.load('v', `kvBase${r}`)};`,
)}
  }
  // Queries i see key j when i + offset >= j: the block's first key is seen from this query on.
  let start = select(0u, first - params.offset, first > params.offset);
  let firstHead = head / params.kvHeads * params.heads + head % params.kvHeads * params.groups;
  for (var g = 0u; g < params.groups; g++) {
    let rowBase = (firstHead + g) * params.queries;
    for (var i = start; i < params.queries; i++) {
      let queryBase = (rowBase + i) * params.headSize;
${eachRow((r) => `      var score${r} = 0.0;\n      var gradWeight${r} = 0.0;`)}
      for (var p = 0u; p < params.parts; p++) {
        let query = ${headRows.load('q', 'queryBase')};
        let gradOut = ${headRows.load('dO', 'queryBase')};
${eachRow(
  (r) => `        score${r} += dot(key${r}[p], query);
        gradWeight${r} += dot(value${r}[p], gradOut);`,
)}
      }
      let queryLse = lse[rowBase + i];
      let queryDelta = delta[rowBase + i];
${eachRow(
  (
    r,
  ) => `      let weight${r} = select(0.0, exp(score${r} - queryLse), i + params.offset >= row${r});
      let gradScore${r} = vec4f(weight${r} * (gradWeight${r} - queryDelta));`,
)}
      for (var p = 0u; p < params.parts; p++) {
        let query = ${headRows.load('q', 'queryBase')};
        let gradOut = ${headRows.load('dO', 'queryBase')};
${eachRow(
  (r) => `        gradValue${r}[p] = fma(vec4f(weight${r}), gradOut, gradValue${r}[p]);
        gradKey${r}[p] = fma(gradScore${r}, query, gradKey${r}[p]);`,
)}
      }
    }
  }
${eachRow(
  (r) => `  if (isRow${r}) {
    for (var p = 0u; p < params.parts; p++) {
      ${headRows.store('dK', `kvBase${r}`, `gradKey${r}[p] * params.scale`)}
      ${headRows.store('dV', `kvBase${r}`, `gradValue${r}[p]`)}
    }
  }`,
)}`,
    ),
  };
}

const kernels = new Map<boolean, [KernelDefinition, KernelDefinition, KernelDefinition]>();

/** The forward, query-gradient and key-gradient kernels for heads of `headSize`. */
function kernelsFor(headSize: number) {
  const vectorised = headSize % 4 === 0;
  let found = kernels.get(vectorised);
  if (!found) {
    const headRows = new HeadRows(vectorised);
    found = [forwardKernel(headRows), queryGradKernel(headRows), keyGradKernel(headRows)];
    kernels.set(vectorised, found);
  }
  return found;
}

interface AttentionLayout {
  batch: number;
  heads: number;
  kvHeads: number;
  queries: number;
  keys: number;
  headSize: number;
}

function layoutOf(q: Tensor, k: Tensor): AttentionLayout {
  const [batch, heads, queries, headSize] = q.shape as [number, number, number, number];
  const [, kvHeads, keys] = k.shape as [number, number, number];
  return { batch, heads, kvHeads, queries, keys, headSize };
}

/** Kernel parameters; `side` says whose rows the blocks hold, the queries' or the keys'. */
function paramsOf(layout: AttentionLayout, side: 'queries' | 'keys') {
  const headCount = side === 'queries' ? layout.heads : layout.kvHeads;
  return {
    blocks: layout.batch * headCount * Math.ceil(layout[side] / BLOCK),
    heads: layout.heads,
    kvHeads: layout.kvHeads,
    headSize: layout.headSize,
    parts: Math.ceil(layout.headSize / 4),
    groups: layout.heads / layout.kvHeads,
    queries: layout.queries,
    keys: layout.keys,
    offset: layout.keys - layout.queries,
    scale: 1 / Math.sqrt(layout.headSize),
  };
}

function checkInputs(call: string, q: Tensor, k: Tensor, v: Tensor): void {
  for (const [name, input] of [
    ['q', q],
    ['k', k],
    ['v', v],
  ] as const) {
    checkDtype(call, name, input, ['f32']);
    if (input.shape.length !== 4) {
      throw new Error(`${call}: ${name} must be [batch, heads, positions, headSize]`);
    }
  }
  const [batch, heads, queries, headSize] = q.shape as [number, number, number, number];
  const [kvBatch, kvHeads, keys, kvHeadSize] = k.shape as [number, number, number, number];
  if (
    !sameShape(k.shape, v.shape) ||
    kvBatch !== batch ||
    kvHeadSize !== headSize ||
    heads % kvHeads !== 0
  ) {
    throw new Error(
      `${call}: k and v must both be [${batch}, kvHeads, keys, ${headSize}] with kvHeads ` +
        `dividing ${heads}, got ${formatShape(k.shape)} and ${formatShape(v.shape)}`,
    );
  }
  if (queries > keys) {
    throw new Error(`${call}: ${queries} queries need at least as many keys, got ${keys}`);
  }
  if (headSize > MAX_FUSED_HEAD_SIZE) {
    throw new Error(
      `${call}: head size ${headSize} is over the fused kernel's ${MAX_FUSED_HEAD_SIZE}; ` +
        'use the attention op',
    );
  }
}

const trainingAttentionOp = defineOp({
  name: 'trainingAttention',
  forward([q, k, v]) {
    const call = describeCall('trainingAttention', [q!, k!, v!]);
    checkInputs(call, q!, k!, v!);
    const layout = layoutOf(q!, k!);
    const params = paramsOf(layout, 'queries');
    const output = allocateTensor(q!.engine, call, q!.shape, 'f32');
    const lse = allocateTensor(q!.engine, call, q!.shape.slice(0, 3), 'f32');
    runKernel(q!.engine, kernelsFor(layout.headSize)[0], {
      operation: call,
      inputs: [q!, k!, v!],
      outputs: [output, lse],
      params,
      workgroups: grid(params.blocks, 1),
    });
    return { output, saved: [lse] };
  },
  backward({ inputs: [q, k, v], output, saved: [lse], gradOutput }) {
    const operation = describeCall('trainingAttention backward', [q!, k!, v!, gradOutput]);
    const layout = layoutOf(q!, k!);
    const [, queryGrad, keyGrad] = kernelsFor(layout.headSize);
    const engine = q!.engine;
    const dQ = allocateTensor(engine, operation, q!.shape, 'f32');
    const delta = allocateTensor(engine, operation, q!.shape.slice(0, 3), 'f32');
    const queryParams = paramsOf(layout, 'queries');
    runKernel(engine, queryGrad, {
      operation: `${operation}: queries`,
      inputs: [q!, k!, v!, output, lse!, gradOutput],
      outputs: [dQ, delta],
      params: queryParams,
      workgroups: grid(queryParams.blocks, 1),
    });
    const dK = allocateTensor(engine, operation, k!.shape, 'f32');
    const dV = allocateTensor(engine, operation, v!.shape, 'f32');
    const keyParams = paramsOf(layout, 'keys');
    runKernel(engine, keyGrad, {
      operation: `${operation}: keys and values`,
      inputs: [q!, k!, v!, lse!, delta, gradOutput],
      outputs: [dK, dV],
      params: keyParams,
      workgroups: grid(keyParams.blocks, 1),
    });
    delta.dispose();
    return [dQ, dK, dV];
  },
});

/**
 * Causal grouped-query attention, fused: q [batch, heads, queries, headSize], k and v
 * [batch, kvHeads, keys, headSize] with kvHeads dividing heads, queries <= keys and headSize at
 * most MAX_FUSED_HEAD_SIZE. The same result and gradients as `attention`, without the scores.
 */
export function trainingAttention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  return applyOp(trainingAttentionOp, [q, k, v], undefined);
}
