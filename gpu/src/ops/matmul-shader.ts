/**
 * WGSL for C[b] = op(A[b]) x op(B[b]) over a batch, C row-major f32, A and B f32 or f16. Products
 * accumulate in f32, or with `compute: 'f16'` (A and B f16) are multiplied and summed in f16 and
 * only the result widened to f32. Shapes, strides and batch strides come from a uniform, so one compiled
 * pipeline serves every shape, transpose and broadcast: op(A)[row, kk] is
 * a[row * aRowStride + kk * aColumnStride], and a batch stride of 0 shares one matrix across the
 * batch (workgroup z).
 *
 * A workgroup computes a block of ROWS_PER_WORKGROUP rows of C; each invocation keeps the 4
 * columns it owns across those rows in registers. On lavapipe every storage load inside the K loop
 * becomes a per-lane gather costing far more than the FMAs it feeds, so loads are what to save:
 * with subgroups, lane i loads row i of the block and the others take it by subgroupBroadcast, one
 * load where there were eight. Measured there (AMD EPYC, 2 cores): about 10 GFLOP/s against 3 for
 * the same tiling with direct loads.
 *
 * `vec4` binds the matrices as vec4 arrays and steps K four at a time (needs untransposed A and B
 * and K and N multiples of 4); `scalar` serves every shape and transpose. Rows and columns past the
 * edge of C read the last valid one, so every invocation runs the whole loop (subgroup operations
 * need uniform control flow); their results are never stored.
 */

export type MatmulInputType = 'f32' | 'f16';

export interface MatmulVariant {
  layout: 'vec4' | 'scalar';
  /** Share rows of A across a subgroup (needs the subgroups feature and subgroups of 8 or more). */
  subgroups: boolean;
  aType: MatmulInputType;
  bType: MatmulInputType;
  /** Type of the products and sums: f16 needs A and B f16. */
  compute: MatmulInputType;
}

export const ROWS_PER_WORKGROUP = 8;
export const COLUMNS_PER_INVOCATION = 4;
export const WORKGROUP_SIZE = 64;

/** The uniform's fields, in order: what a dispatch writes for its shape. */
export const MATMUL_DIMS = [
  'm',
  'k',
  'n',
  'aRowStride',
  'aColumnStride',
  'bRowStride',
  'bColumnStride',
  'aBatchStride',
  'bBatchStride',
  'cBatchStride',
] as const;

const ROWS = Array.from({ length: ROWS_PER_WORKGROUP }, (_, row) => row);
const COLUMNS = Array.from({ length: COLUMNS_PER_INVOCATION }, (_, column) => column);
const LANES = ['x', 'y', 'z', 'w'] as const;

export function matmulShader(variant: MatmulVariant): string {
  const vec4 = variant.layout === 'vec4';
  const element = (type: MatmulInputType) => (vec4 ? `vec4<${type}>` : type);
  const usesF16 = variant.aType === 'f16' || variant.bType === 'f16';
  return /* wgsl */ `
${usesF16 ? 'enable f16;' : ''}
${variant.subgroups ? 'enable subgroups;' : ''}

struct Dims { ${MATMUL_DIMS.map((name) => `${name}: u32`).join(', ')} }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<${element(variant.aType)}>;
@group(0) @binding(2) var<storage, read> b: array<${element(variant.bType)}>;
@group(0) @binding(3) var<storage, read_write> c: array<${vec4 ? 'vec4f' : 'f32'}>;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(
  @builtin(global_invocation_id) id: vec3u,
  @builtin(workgroup_id) workgroup: vec3u,
  ${variant.subgroups ? '@builtin(subgroup_invocation_id) lane: u32,' : ''}
) {
  let firstRow = workgroup.y * ${ROWS_PER_WORKGROUP}u;
  let lastRow = dims.m - 1u;
  let elementsPerIndex = ${vec4 ? '4u' : '1u'};
  let aBase = workgroup.z * dims.aBatchStride / elementsPerIndex;
  let bBase = workgroup.z * dims.bBatchStride / elementsPerIndex;
  let cBase = workgroup.z * dims.cBatchStride / elementsPerIndex;
${vec4 ? vec4Body(variant) : scalarBody(variant)}
}
`;
}

/** The compute type, as a vec4 or a scalar. */
function computeType({ compute, layout }: MatmulVariant, vector = layout === 'vec4'): string {
  return vector ? `vec4<${compute}>` : compute;
}

/** A's value in row `row` of the block at step `kk`: from the lane that loaded it, or loaded. */
function rowOfA(row: number, variant: MatmulVariant): string {
  const type = computeType(variant);
  if (!variant.subgroups) {
    return `${type}(a[${indexOfA(`min(firstRow + ${row}u, lastRow)`, variant.layout)}])`;
  }
  const shared = `subgroupBroadcast(aShared, ${row}u)`;
  if (variant.compute === 'f32') return shared;
  return variant.layout === 'vec4' ? `bitcast<vec4<f16>>(${shared})` : `f16(${shared})`;
}

function indexOfA(row: string, layout: MatmulVariant['layout']): string {
  return layout === 'vec4'
    ? `aBase + ${row} * aStride + kk`
    : `aBase + ${row} * dims.aRowStride + kk * dims.aColumnStride`;
}

/**
 * Broadcast as 32-bit values, since subgroup operations on f16 need a further feature: widened
 * to f32, or with f16 compute a vec4<f16>'s bits as a vec2<u32>.
 */
function sharedLoadOfA(variant: MatmulVariant): string {
  const { subgroups, layout } = variant;
  if (!subgroups) return '';
  const value = `a[${indexOfA(`min(firstRow + lane % ${ROWS_PER_WORKGROUP}u, lastRow)`, layout)}]`;
  if (variant.compute === 'f16' && layout === 'vec4') {
    return `    let aShared = bitcast<vec2u>(${value});`;
  }
  return `    let aShared = ${layout === 'vec4' ? 'vec4f' : 'f32'}(${value});`;
}

const declareAccumulators = (variant: MatmulVariant) =>
  ROWS.map((row) => `  var acc${row} = ${computeType(variant, true)}();`).join('\n');

/** Indices count vec4s: a row of A holds K/4 of them, a row of B or C holds N/4. */
function vec4Body(variant: MatmulVariant): string {
  const vector = computeType(variant, true);
  return `
  let aStride = dims.k / 4u;
  let n4 = dims.n / 4u;
  let column = id.x;
  let bColumn = min(column, n4 - 1u);
${declareAccumulators(variant)}
  for (var kk = 0u; kk < aStride; kk++) {
${sharedLoadOfA(variant)}
${LANES.map((_, i) => `    let b${i} = ${vector}(b[bBase + (kk * 4u + ${i}u) * n4 + bColumn]);`).join('\n')}
${ROWS.map((row) => {
  const sum = LANES.reduce(
    (acc, lane, i) => `fma(${vector}(a${row}.${lane}), b${i}, ${acc})`,
    `acc${row}`,
  );
  return `    let a${row} = ${rowOfA(row, variant)};\n    acc${row} = ${sum};`;
}).join('\n')}
  }
  if (column < n4) {
${ROWS.map((row) => `    if (firstRow + ${row}u <= lastRow) { c[cBase + (firstRow + ${row}u) * n4 + column] = vec4f(acc${row}); }`).join('\n')}
  }`;
}

function scalarBody(variant: MatmulVariant): string {
  const vector = computeType(variant, true);
  const scalar = computeType(variant, false);
  return `
  let firstColumn = id.x * ${COLUMNS_PER_INVOCATION}u;
${COLUMNS.map((i) => `  let bColumn${i} = min(firstColumn + ${i}u, dims.n - 1u) * dims.bColumnStride;`).join('\n')}
${declareAccumulators(variant)}
  for (var kk = 0u; kk < dims.k; kk++) {
${sharedLoadOfA(variant)}
    let bRow = bBase + kk * dims.bRowStride;
    let bValues = ${vector}(${COLUMNS.map((i) => `${scalar}(b[bRow + bColumn${i}])`).join(', ')});
${ROWS.map((row) => `    acc${row} = fma(${vector}(${rowOfA(row, variant)}), bValues, acc${row});`).join('\n')}
  }
${ROWS.map((row) =>
  COLUMNS.map(
    (i) =>
      `  if (firstRow + ${row}u <= lastRow && firstColumn + ${i}u < dims.n) { ` +
      `c[cBase + (firstRow + ${row}u) * dims.n + firstColumn + ${i}u] = f32(acc${row}.${LANES[i]}); }`,
  ).join('\n'),
).join('\n')}`;
}
