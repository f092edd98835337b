/**
 * WGSL of the matmul for CPU adapters (lavapipe). There every storage-buffer load whose address
 * differs across lanes compiles to a per-lane loop of bounds checks and branches (Mesa 25.0's
 * llvmpipe, `emit_load_mem`), costing several times the FMAs it feeds, while a uniform-buffer
 * load compiles to a branch-free gather. So A and B are first packed into 64 KiB tiles
 * (zero-padded, f16 widened, transposes resolved) and each dispatch binds WINDOWS consecutive K
 * chunks of a row tile of A and of a column tile of B as uniform buffers (all twelve a stage may
 * have; the dispatch's offsets come from a storage buffer read at constant addresses, which
 * compile to plain loads). A dispatch adds its K range's product into C, so C is read and written
 * once per WINDOWS chunks.
 *
 * An A tile holds TILE_ROWS rows of op(A) by CHUNK_K columns, a B tile CHUNK_K rows of op(B) by
 * TILE_COLUMNS columns, as vec4s along the rows. A workgroup computes ROWS_PER_WORKGROUP rows by
 * the tile's TILE_COLUMNS columns: each invocation keeps ROWS_PER_WORKGROUP x COLUMN_VECTORS vec4
 * accumulators; lane i of a subgroup loads rows i, i+8, ... of the block and subgroupBroadcast
 * shares them, one gather where there would be eight.
 */
import { rowAddressing } from '../kernel/lane-blocked.ts';
import type { MatmulInputType } from './matmul-shader.ts';

/** vec4s in one 64 KiB tile, the largest uniform binding WebGPU guarantees. */
export const TILE_VEC4S = 4096;
export const TILE_BYTES = TILE_VEC4S * 16;
export const TILE_COLUMNS = 256;
export const CHUNK_K = (TILE_VEC4S * 4) / TILE_COLUMNS;
/** Tiles of A and of B bound per dispatch: 12 uniform buffers, the most a stage may have. */
export const WINDOWS = 6;
export const WINDOW_WORKGROUP_SIZE = 32;
/** Accumulator vec4s per invocation along N. */
const COLUMN_VECTORS = TILE_COLUMNS / 4 / WINDOW_WORKGROUP_SIZE;
/** Rows of a block loaded per subgroup gather. */
export const ROWS_PER_GATHER = 8;
const GATHERS = 3;
export const ROWS_PER_WORKGROUP = ROWS_PER_GATHER * GATHERS;
/** Rows of A per tile: as many whole workgroup blocks as fit. */
export const TILE_ROWS =
  Math.floor(TILE_VEC4S / (CHUNK_K / 4) / ROWS_PER_WORKGROUP) * ROWS_PER_WORKGROUP;

/** Per-dispatch parameters: where the product lands in C, windows bound, whether to add. */
export const WINDOW_FIELDS = [
  'm',
  'rowBase',
  'windows',
  'columnVectorBase',
  'nVectors',
  'cBase',
  'accumulate',
  'blockRows',
  'transposedC',
] as const;

/** Pack uniforms: the source's shape and strides, and the tile grid it is packed into. */
export const PACK_FIELDS = [
  'rows',
  'columns',
  'rowStride',
  'columnStride',
  'batchStride',
  'rowsPacked',
  'columnVectorsPacked',
  'rowTiles',
  'columnTiles',
] as const;

const range = (count: number) => Array.from({ length: count }, (_, index) => index);
const LANES = ['x', 'y', 'z', 'w'] as const;

export function windowMatmulShader(): string {
  const chunkVectors = CHUNK_K / 4;
  const columnVectors = TILE_COLUMNS / 4;
  const rows = range(ROWS_PER_WORKGROUP);
  const columns = range(COLUMN_VECTORS);
  const windowLoop = (window: number) => /* wgsl */ `
  if (${window}u < windows) {
    for (var kk = 0u; kk < ${chunkVectors}u; kk++) {
${range(GATHERS)
  .map((gather) => `      let gathered${gather} = a${window}[aRow${gather} + kk];`)
  .join('\n')}
${columns
  .flatMap((column) =>
    LANES.map(
      (_, i) =>
        `      let b${column}_${i} = b${window}[(kk * 4u + ${i}u) * ${columnVectors}u + local + ${column * WINDOW_WORKGROUP_SIZE}u];`,
    ),
  )
  .join('\n')}
${rows
  .map((row) => {
    const shared = `      let a${row} = subgroupBroadcast(gathered${Math.floor(row / ROWS_PER_GATHER)}, ${row % ROWS_PER_GATHER}u);`;
    const updates = columns.map((column) => {
      const sum = LANES.reduce(
        (acc, lane, i) => `fma(vec4f(a${row}.${lane}), b${column}_${i}, ${acc})`,
        `acc[${row * COLUMN_VECTORS + column}]`,
      );
      return `      acc[${row * COLUMN_VECTORS + column}] = ${sum};`;
    });
    return [shared, ...updates].join('\n');
  })
  .join('\n')}
    }
  }`;
  return /* wgsl */ `
enable subgroups;

struct Params { ${WINDOW_FIELDS.map((name) => `${name}: u32`).join(', ')} }

@group(0) @binding(0) var<storage, read> params: Params;
@group(0) @binding(1) var<storage, read_write> c: array<vec4f>;
${['a', 'b']
  .flatMap((matrix, index) =>
    range(WINDOWS).map(
      (window) =>
        `@group(0) @binding(${2 + index * WINDOWS + window}) ` +
        `var<uniform> ${matrix}${window}: array<vec4f, ${TILE_VEC4S}>;`,
    ),
  )
  .join('\n')}

@compute @workgroup_size(${WINDOW_WORKGROUP_SIZE})
fn main(
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(local_invocation_index) local: u32,
  @builtin(subgroup_invocation_id) lane: u32,
) {
  let firstRow = workgroup.y * ${ROWS_PER_WORKGROUP}u;
  let windows = params.windows;
${range(GATHERS)
  .map(
    (gather) =>
      `  let aRow${gather} = (firstRow + ${gather * ROWS_PER_GATHER}u + lane % ${ROWS_PER_GATHER}u) * ${chunkVectors}u;`,
  )
  .join('\n')}
  var acc: array<vec4f, ${ROWS_PER_WORKGROUP * COLUMN_VECTORS}>;
${range(WINDOWS).map(windowLoop).join('\n')}
  // One store loop rather than a copy per accumulator: each read of C compiles to a per-lane
  // loop, and a copy per accumulator made the pipeline take seconds to compile.
  let rowBase = params.rowBase + firstRow;
  let accumulate = params.accumulate != 0u;
  for (var row = 0u; row < params.blockRows; row++) {
    for (var column = 0u; column < ${COLUMN_VECTORS}u; column++) {
      let columnVector = params.columnVectorBase + local + column * ${WINDOW_WORKGROUP_SIZE}u;
      if (rowBase + row < params.m && columnVector < params.nVectors) {
        let value = acc[row * ${COLUMN_VECTORS}u + column];
        if (params.transposedC != 0u) {
          // This product is C^T: its row is a column of C, m of them to a row of C.
          for (var i = 0u; i < 4u; i++) {
            let flat = params.cBase * 4u + (columnVector * 4u + i) * params.m + rowBase + row;
            if (accumulate) { c[flat / 4u][flat % 4u] += value[i]; } else { c[flat / 4u][flat % 4u] = value[i]; }
          }
        } else {
          let index = params.cBase + (rowBase + row) * params.nVectors + columnVector;
          if (accumulate) { c[index] += value; } else { c[index] = value; }
        }
      }
    }
  }
}
`;
}

/**
 * Packs op(X) [rows, columns] of batch element z, X stored with the given strides and type, into
 * f32 tiles of `tileRows` rows by `tileColumns` columns (vec4s along the rows), zeros past its
 * edges: tile (batch, rowTile, columnTile) is number (batch * rowTiles + rowTile) * columnTiles +
 * columnTile. op(A) [M, K] packs into TILE_ROWS x CHUNK_K tiles, op(B) [K, N] into
 * CHUNK_K x TILE_COLUMNS tiles: tile numbers step along K in A and along N in B.
 */
export function packShader(
  type: MatmulInputType,
  tileRows: number,
  tileColumns: number,
  laneBlocked = false,
): string {
  const vectors = tileColumns / 4;
  // Lane-blocked: op(X)[row, column] = W[column, row] for a weight W [columns, rows] in the
  // layout of lane-blocked.ts (columnStride: W's width).
  const sourceIndex = laneBlocked
    ? /* wgsl */ `
${rowAddressing(true)}
fn sourceIndex(batch: u32, row: u32, column: u32) -> u32 {
  let vector = rowStart(column, p.columnStride / 4u) + (row / 4u) * ROW_STEP;
  return batch * p.batchStride + vector * 4u + row % 4u;
}`
    : /* wgsl */ `
fn sourceIndex(batch: u32, row: u32, column: u32) -> u32 {
  return batch * p.batchStride + row * p.rowStride + column * p.columnStride;
}`;
  return /* wgsl */ `
${type === 'f16' ? 'enable f16;' : ''}

struct Pack { ${PACK_FIELDS.map((name) => `${name}: u32`).join(', ')} }

@group(0) @binding(0) var<uniform> p: Pack;
@group(0) @binding(1) var<storage, read> source: array<${type}>;
@group(0) @binding(2) var<storage, read_write> packed: array<vec4f>;
${sourceIndex}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let vector = id.x;
  let row = id.y;
  let batch = id.z;
  if (vector >= p.columnVectorsPacked || row >= p.rowsPacked) { return; }
  let tile = (batch * p.rowTiles + row / ${tileRows}u) * p.columnTiles + vector / ${vectors}u;
  var value = vec4f();
  if (row < p.rows) {
    for (var i = 0u; i < 4u; i++) {
      let column = vector * 4u + i;
      if (column < p.columns) { value[i] = f32(source[sourceIndex(batch, row, column)]); }
    }
  }
  packed[tile * ${TILE_VEC4S}u + (row % ${tileRows}u) * ${vectors}u + vector % ${vectors}u] = value;
}
`;
}
