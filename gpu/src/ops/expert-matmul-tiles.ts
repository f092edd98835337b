import type { KernelDefinition } from '../kernel/kernel.ts';

/**
 * The forward of expertMatmul as a register-tiled matmul over the sorted rows, in the manner of
 * matmul-shader.ts: a workgroup computes a tile of TILE_ROWS consecutive sorted rows of one expert
 * by WORKGROUP_SIZE * 4 columns, each invocation keeping its 4 columns of those rows in
 * registers, and with subgroups lane i loads the input row of tile row i and the others take it by
 * subgroupBroadcast. Tile t is found from the expert offsets on the GPU (no readback): expert e
 * owns ceil(rows_e / TILE_ROWS) consecutive tiles, and the tiles after the last expert's cover
 * the rows of invalid expert ids, which are zeros. The grid is sized for the most tiles any
 * routing can need, ceil(rows / TILE_ROWS) + experts + 1; tiles past those store nothing.
 *
 * Rows past a tile's end read its last valid row and every invocation runs the whole K loop, so
 * subgroup operations stay in uniform control flow; their results are never stored.
 */

export const TILE_ROWS = 32;
/** Rows of a tile whose x one subgroup load brings (subgroups of 8 or more). */
export const ROWS_PER_LOAD = 8;
export const WORKGROUP_SIZE = 64;
export const COLUMNS_PER_INVOCATION = 4;
/** A tile's rows, and its subgroup loads of ROWS_PER_LOAD rows each. */
export const ROWS = Array.from({ length: TILE_ROWS }, (_, row) => row);
export const LOADS = Array.from({ length: TILE_ROWS / ROWS_PER_LOAD }, (_, load) => load);
export const LANES = ['x', 'y', 'z', 'w'] as const;

export type ExpertTileLayout = 'vec4' | 'scalar';

export interface ExpertTileVariant {
  /** vec4: inner and outer multiples of 4, x and the weights read as vec4s (not transposed). */
  layout: ExpertTileLayout;
  subgroups: boolean;
  /**
   * Multiply by each expert's weights transposed, stored [experts, outer, inner]: the input
   * gradient, dy [rows, inner] times weights [outer, inner]^T.
   */
  transposeWeights?: boolean;
}

/** Uniforms: sorted rows, x's width, y's width, experts, choices per token, x holds tokens. */
export const EXPERT_TILE_PARAMS = {
  rows: 'u32',
  inner: 'u32',
  outer: 'u32',
  experts: 'u32',
  topK: 'u32',
  fromTokens: 'u32',
} as const;

/** Workgroups for `rows` sorted rows of `outer` columns among `experts`. */
export function expertTileGrid(rows: number, outer: number, experts: number): [number, number] {
  return [
    Math.ceil(outer / (WORKGROUP_SIZE * COLUMNS_PER_INVOCATION)),
    expertTileCount(rows, TILE_ROWS, experts),
  ];
}

export function expertTileKernel({
  layout,
  subgroups,
  transposeWeights = false,
}: ExpertTileVariant): KernelDefinition {
  const vec4 = layout === 'vec4';
  if (vec4 && transposeWeights)
    throw new Error('expertMatmul tiles: transposed weights are scalar');
  const flags = [
    layout,
    ...(subgroups ? ['subgroups'] : []),
    ...(transposeWeights ? ['transposed weights'] : []),
  ];
  return {
    name: `expertMatmul tiles (${flags.join(', ')})`,
    params: EXPERT_TILE_PARAMS,
    inputs: ['x', 'weights', 'order', 'offsets'],
    outputs: ['y'],
    directives: subgroups ? ['enable subgroups;'] : [],
    elementTypes: vec4 ? { x: 'vec4', weights: 'vec4', y: 'vec4' } : {},
    main: /* wgsl */ `
${expertTilesWgsl(TILE_ROWS)}

${tiledEntryPoint(
  subgroups,
  `
  let tile = tileOf(workgroup.y);
  // The invalid rows' tiles compute with the last expert's weights and store zeros.
  let expert = min(tile.expert, params.experts - 1u);
${vec4 ? vec4Body(subgroups) : scalarBody(subgroups, transposeWeights)}`,
)}`,
  };
}

/**
 * WGSL: `fn tileOf(t)`, tile t of sorted rows in tiles of `tileRows` rows that never straddle two
 * experts: its expert (params.experts for the invalid ids' rows, which sort last), first and last
 * sorted row, and whether it exists. Reads `offsets` and params.rows and params.experts; tile
 * counts need at most ceil(rows / tileRows) + experts + 1 tiles.
 */
export function expertTilesWgsl(tileRows: number): string {
  return /* wgsl */ `
struct Tile { expert: u32, first: u32, last: u32, valid: bool }

fn tileOf(t: u32) -> Tile {
  var tile = Tile(params.experts, 0u, 0u, false);
  var before = 0u;
  for (var e = 0u; e <= params.experts; e++) {
    let start = u32(offsets[min(e, params.experts)]);
    let end = select(u32(offsets[min(e + 1u, params.experts)]), params.rows, e == params.experts);
    let tiles = (end - start + ${tileRows - 1}u) / ${tileRows}u;
    if (t >= before && t < before + tiles) {
      let first = start + (t - before) * ${tileRows}u;
      tile = Tile(e, first, min(first + ${tileRows - 1}u, end - 1u), true);
    }
    before += tiles;
  }
  return tile;
}`;
}

/** Tiles of `tileRows` sorted rows enough for any routing of `rows` rows among `experts`. */
export function expertTileCount(rows: number, tileRows: number, experts: number): number {
  return Math.ceil(rows / tileRows) + experts + 1;
}

/**
 * `fn inputRow` (the row of x that sorted row r reads) and the entry point of the tiled expert
 * kernels around `body`, which sees `id`, `workgroup` and, with subgroups, `lane`.
 */
export function tiledEntryPoint(subgroups: boolean, body: string): string {
  return /* wgsl */ `
fn inputRow(r: u32) -> u32 {
  return select(r, u32(order[r]) / params.topK, params.fromTokens != 0u);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(
  @builtin(global_invocation_id) id: vec3u,
  @builtin(workgroup_id) workgroup: vec3u,
  ${subgroups ? '@builtin(subgroup_invocation_id) lane: u32,' : ''}
) {${body}
}
`;
}

/** Each tile row's (or, with subgroups, this lane's) row of x, clamped into the tile. */
function inputRows(subgroups: boolean, stride: string): string {
  if (subgroups) {
    return LOADS.map(
      (load) =>
        `  let xLaneBase${load} = inputRow(min(tile.first + ${load * ROWS_PER_LOAD}u + lane % ${ROWS_PER_LOAD}u, tile.last)) * ${stride};`,
    ).join('\n');
  }
  return ROWS.map(
    (row) => `  let xBase${row} = inputRow(min(tile.first + ${row}u, tile.last)) * ${stride};`,
  ).join('\n');
}

function rowOfX(row: number, subgroups: boolean, kk: string): string {
  const load = Math.floor(row / ROWS_PER_LOAD);
  return subgroups
    ? `subgroupBroadcast(xShared${load}, ${row % ROWS_PER_LOAD}u)`
    : `x[xBase${row} + ${kk}]`;
}

/** One subgroup load per ROWS_PER_LOAD rows: lane i holds x of tile row load * 8 + i. */
function sharedLoads(subgroups: boolean, value: (base: string) => string): string {
  if (!subgroups) return '';
  return LOADS.map((load) => `    let xShared${load} = ${value(`xLaneBase${load}`)};`).join('\n');
}

export const declareAccumulators = () => ROWS.map((row) => `  var acc${row} = vec4f();`).join('\n');

function store(row: number, index: string, value: string): string {
  return (
    `    if (tile.valid && tile.first + ${row}u <= tile.last) { ` +
    `y[${index}] = select(${value}, vec4f(), tile.expert == params.experts); }`
  );
}

/** Indices count vec4s: a row of x holds inner / 4, a row of an expert's weights or y outer / 4. */
function vec4Body(subgroups: boolean): string {
  return `
  let inner4 = params.inner / 4u;
  let outer4 = params.outer / 4u;
  let column = id.x;
  let wColumn = min(column, outer4 - 1u);
  let wBase = expert * params.inner * outer4;
${inputRows(subgroups, 'inner4')}
${declareAccumulators()}
  for (var kk = 0u; kk < inner4; kk++) {
${sharedLoads(subgroups, (base) => `vec4f(x[${base} + kk])`)}
${LANES.map((_, i) => `    let w${i} = vec4f(weights[wBase + (kk * 4u + ${i}u) * outer4 + wColumn]);`).join('\n')}
${ROWS.map((row) => {
  const sum = LANES.reduce(
    (acc, lane, i) => `fma(vec4f(x${row}.${lane}), w${i}, ${acc})`,
    `acc${row}`,
  );
  return `    let x${row} = ${rowOfX(row, subgroups, 'kk')};\n    acc${row} = ${sum};`;
}).join('\n')}
  }
  if (column < outer4) {
${ROWS.map((row) => store(row, `(tile.first + ${row}u) * outer4 + column`, `acc${row}`)).join('\n')}
  }`;
}

function scalarBody(subgroups: boolean, transposeWeights: boolean): string {
  const columns = Array.from({ length: COLUMNS_PER_INVOCATION }, (_, i) => i);
  const weightIndex = (i: number) =>
    transposeWeights ? `wBase + wColumn${i} * params.inner + kk` : `wRow + wColumn${i}`;
  return `
  let firstColumn = id.x * ${COLUMNS_PER_INVOCATION}u;
${columns.map((i) => `  let wColumn${i} = min(firstColumn + ${i}u, params.outer - 1u);`).join('\n')}
  let wBase = expert * params.inner * params.outer;
${inputRows(subgroups, 'params.inner')}
${declareAccumulators()}
  for (var kk = 0u; kk < params.inner; kk++) {
${sharedLoads(subgroups, (base) => `f32(x[${base} + kk])`)}
${transposeWeights ? '' : '    let wRow = wBase + kk * params.outer;'}
    let wValues = vec4f(${columns.map((i) => `f32(weights[${weightIndex(i)}])`).join(', ')});
${ROWS.map((row) => `    acc${row} = fma(vec4f(${rowOfX(row, subgroups, 'kk')}), wValues, acc${row});`).join('\n')}
  }
${ROWS.map((row) =>
  columns
    .map(
      (i) =>
        `  if (tile.valid && tile.first + ${row}u <= tile.last && firstColumn + ${i}u < params.outer) { ` +
        `y[(tile.first + ${row}u) * params.outer + firstColumn + ${i}u] = ` +
        `select(acc${row}.${LANES[i]}, 0.0, tile.expert == params.experts); }`,
    )
    .join('\n'),
).join('\n')}`;
}
