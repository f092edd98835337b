import {
  COLUMNS_PER_INVOCATION,
  declareAccumulators,
  EXPERT_TILE_PARAMS,
  LANES,
  LOADS,
  ROWS,
  ROWS_PER_LOAD,
  TILE_ROWS,
  tiledEntryPoint,
  WORKGROUP_SIZE,
} from './expert-matmul-tiles.ts';
import type { KernelDefinition } from '../kernel/kernel.ts';

/**
 * The weight gradient of expertMatmul, dWeights[e] = x_e^T dy_e over expert e's sorted rows, as
 * a register-tiled matmul whose K loop runs over those rows: a workgroup (workgroup.z = e) owns
 * TILE_ROWS (the forward's tile height) rows of dWeights[e] (along inner) by WORKGROUP_SIZE * 4
 * columns, each invocation 4 columns of those rows in registers; with subgroups lane i loads x
 * of tile row i at each sorted row and the others take it by subgroupBroadcast. The loop's bounds come from the offsets, the
 * same for every invocation of a workgroup, which WGSL's uniformity analysis cannot see: hence
 * the diagnostic filter.
 */

const COLUMNS = Array.from({ length: COLUMNS_PER_INVOCATION }, (_, column) => column);

export interface ExpertWeightGradVariant {
  /** vec4: outer a multiple of 4, dy and dWeights read and written as vec4s. */
  layout: 'vec4' | 'scalar';
  subgroups: boolean;
}

/** Workgroups for dWeights [experts, inner, outer]. */
export function expertWeightGradGrid(
  experts: number,
  inner: number,
  outer: number,
): [number, number, number] {
  return [
    Math.ceil(outer / (WORKGROUP_SIZE * COLUMNS.length)),
    Math.ceil(inner / TILE_ROWS),
    experts,
  ];
}

export function expertWeightGradKernel({
  layout,
  subgroups,
}: ExpertWeightGradVariant): KernelDefinition {
  const vec4 = layout === 'vec4';
  const columns = vec4
    ? 'let outer4 = params.outer / 4u;\n  let column = id.x;'
    : `let firstColumn = id.x * ${COLUMNS_PER_INVOCATION}u;`;
  const dyValues = vec4
    ? 'dy[r * outer4 + min(column, outer4 - 1u)]'
    : `vec4f(${COLUMNS.map((i) => `dy[r * params.outer + min(firstColumn + ${i}u, params.outer - 1u)]`).join(', ')})`;
  const xOfRow = (row: number) =>
    subgroups
      ? `subgroupBroadcast(xShared${Math.floor(row / ROWS_PER_LOAD)}, ${row % ROWS_PER_LOAD}u)`
      : `x[xBase + min(firstRow + ${row}u, lastRow)]`;
  const stores = ROWS.map((row) => {
    const target = `(wBase + firstRow + ${row}u)`;
    if (vec4) {
      return `    if (firstRow + ${row}u <= lastRow && column < outer4) { dWeights[${target} * outer4 + column] = acc${row}; }`;
    }
    return COLUMNS.map(
      (i) =>
        `    if (firstRow + ${row}u <= lastRow && firstColumn + ${i}u < params.outer) { ` +
        `dWeights[${target} * params.outer + firstColumn + ${i}u] = acc${row}.${LANES[i]}; }`,
    ).join('\n');
  }).join('\n');
  return {
    name: `expertMatmul weight gradient (${layout}${subgroups ? ', subgroups' : ''})`,
    params: EXPERT_TILE_PARAMS,
    inputs: ['x', 'order', 'offsets', 'dy'],
    outputs: ['dWeights'],
    directives: subgroups ? ['enable subgroups;', 'diagnostic(off, subgroup_uniformity);'] : [],
    elementTypes: vec4 ? { dy: 'vec4', dWeights: 'vec4' } : {},
    main: tiledEntryPoint(
      subgroups,
      `
  let e = workgroup.z;
  let firstRow = workgroup.y * ${TILE_ROWS}u;
  let lastRow = params.inner - 1u;
  let wBase = e * params.inner;
  ${columns}
${declareAccumulators()}
  for (var r = u32(offsets[e]); r < u32(offsets[e + 1u]); r++) {
    let xBase = inputRow(r) * params.inner;
${subgroups ? LOADS.map((load) => `    let xShared${load} = x[xBase + min(firstRow + ${load * ROWS_PER_LOAD}u + lane % ${ROWS_PER_LOAD}u, lastRow)];`).join('\n') : ''}
    let dyRow = ${dyValues};
${ROWS.map((row) => `    acc${row} = fma(vec4f(${xOfRow(row)}), dyRow, acc${row});`).join('\n')}
  }
${stores}`,
    ),
  };
}
