/**
 * WGSL for C[M,N] = A[M,K] x B[K,N], all row-major f32, shapes read from a uniform so one compiled
 * pipeline serves every shape.
 *
 * A workgroup computes a block of ROWS_PER_WORKGROUP rows of C; each invocation keeps the 4
 * columns it owns across those rows in registers. On lavapipe every storage load inside the K loop
 * becomes a per-lane gather costing far more than the FMAs it feeds, so loads are what to save:
 * with subgroups, lane i loads row i of the block and the others take it by subgroupBroadcast, one
 * load where there were eight. Measured there (AMD EPYC, 2 cores): about 10 GFLOP/s against 3 for
 * the same tiling with direct loads.
 *
 * `vec4` binds the matrices as vec4 arrays and steps K four at a time (needs K and N multiples of
 * 4); `scalar` serves every shape. Rows and columns past the edge of C read the last valid one, so
 * every invocation runs the whole loop (subgroup operations need uniform control flow); their
 * results are never stored.
 */

export interface MatmulVariant {
  layout: 'vec4' | 'scalar';
  /** Share rows of A across a subgroup (needs the subgroups feature and subgroups of 8 or more). */
  subgroups: boolean;
}

export const ROWS_PER_WORKGROUP = 8;
export const COLUMNS_PER_INVOCATION = 4;
export const WORKGROUP_SIZE = 64;

const ROWS = Array.from({ length: ROWS_PER_WORKGROUP }, (_, row) => row);
const COLUMNS = Array.from({ length: COLUMNS_PER_INVOCATION }, (_, column) => column);
const LANES = ['x', 'y', 'z', 'w'] as const;

export function matmulShader(variant: MatmulVariant): string {
  const element = variant.layout === 'vec4' ? 'vec4f' : 'f32';
  return /* wgsl */ `
${variant.subgroups ? 'enable subgroups;' : ''}

struct Dims { m: u32, k: u32, n: u32 }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<${element}>;
@group(0) @binding(2) var<storage, read> b: array<${element}>;
@group(0) @binding(3) var<storage, read_write> c: array<${element}>;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(
  @builtin(global_invocation_id) id: vec3u,
  @builtin(workgroup_id) workgroup: vec3u,
  ${variant.subgroups ? '@builtin(subgroup_invocation_id) lane: u32,' : ''}
) {
  let firstRow = workgroup.y * ${ROWS_PER_WORKGROUP}u;
  let lastRow = dims.m - 1u;
${variant.layout === 'vec4' ? vec4Body(variant) : scalarBody(variant)}
}
`;
}

/** A's value in row `row` of the block at step `kk`: from the lane that loaded it, or loaded. */
function rowOfA(row: number, subgroups: boolean): string {
  return subgroups
    ? `subgroupBroadcast(aShared, ${row}u)`
    : `a[min(firstRow + ${row}u, lastRow) * aStride + kk]`;
}

function sharedLoadOfA(subgroups: boolean): string {
  return subgroups
    ? `    let aShared = a[min(firstRow + lane % ${ROWS_PER_WORKGROUP}u, lastRow) * aStride + kk];`
    : '';
}

const declareAccumulators = () => ROWS.map((row) => `  var acc${row} = vec4f();`).join('\n');

/** Indices count vec4s: a row of A holds K/4 of them, a row of B or C holds N/4. */
function vec4Body({ subgroups }: MatmulVariant): string {
  return `
  let aStride = dims.k / 4u;
  let n4 = dims.n / 4u;
  let column = id.x;
  let bColumn = min(column, n4 - 1u);
${declareAccumulators()}
  for (var kk = 0u; kk < aStride; kk++) {
${sharedLoadOfA(subgroups)}
${LANES.map((_, i) => `    let b${i} = b[(kk * 4u + ${i}u) * n4 + bColumn];`).join('\n')}
${ROWS.map((row) => {
  const sum = LANES.reduce(
    (acc, lane, i) => `fma(vec4f(a${row}.${lane}), b${i}, ${acc})`,
    `acc${row}`,
  );
  return `    let a${row} = ${rowOfA(row, subgroups)};\n    acc${row} = ${sum};`;
}).join('\n')}
  }
  if (column < n4) {
${ROWS.map((row) => `    if (firstRow + ${row}u <= lastRow) { c[(firstRow + ${row}u) * n4 + column] = acc${row}; }`).join('\n')}
  }`;
}

function scalarBody({ subgroups }: MatmulVariant): string {
  return `
  let aStride = dims.k;
  let firstColumn = id.x * ${COLUMNS_PER_INVOCATION}u;
${COLUMNS.map((i) => `  let bColumn${i} = min(firstColumn + ${i}u, dims.n - 1u);`).join('\n')}
${declareAccumulators()}
  for (var kk = 0u; kk < dims.k; kk++) {
${sharedLoadOfA(subgroups)}
    let bRow = kk * dims.n;
    let bValues = vec4f(${COLUMNS.map((i) => `b[bRow + bColumn${i}]`).join(', ')});
${ROWS.map((row) => `    acc${row} = fma(vec4f(${rowOfA(row, subgroups)}), bValues, acc${row});`).join('\n')}
  }
${ROWS.map((row) =>
  COLUMNS.map(
    (i) =>
      `  if (firstRow + ${row}u <= lastRow && firstColumn + ${i}u < dims.n) { ` +
      `c[(firstRow + ${row}u) * dims.n + firstColumn + ${i}u] = acc${row}.${LANES[i]}; }`,
  ).join('\n'),
).join('\n')}`;
}
