/**
 * The lane-blocked layout of a weight matrix [rows, columns] (columns a multiple of 4), in which
 * the CPU kernel family keeps projection weights: rows are padded with zeros to a multiple of
 * LANE_BLOCK_ROWS, and within each block of that many rows the vec4s are stored column step
 * first, so the vec4 at (row n, column step i) sits at vec4 index
 * (n / 32) * 32 * steps + i * 32 + n % 32. A workgroup of the row-streaming kernels (8 lanes of
 * 4 rows) then reads 512 contiguous bytes a loop iteration instead of 16 bytes from each of 32
 * rows, one memory stream instead of 32: measured 1.2-1.35x the matrix-vector throughput of the
 * row-major layout on lavapipe. The windowed matmul's pack reads it too (matmul-window-shader.ts).
 */

/** Rows of one block: those one workgroup of the row-streaming kernels computes. */
export const LANE_BLOCK_ROWS = 32;

/** The layout above; `groups` stacked matrices (gate and up) are blocked and padded each alone. */
export function laneBlock<T extends Float32Array | Uint16Array>(
  values: T,
  columns: number,
  groups = 1,
): T {
  const steps = columns / 4;
  const rows = values.length / columns / groups;
  const padded = laneBlockedRows(rows);
  const blocked = new (values.constructor as { new (length: number): T })(
    groups * padded * columns,
  );
  for (let group = 0; group < groups; group++) {
    const source = group * rows * columns;
    const target = group * padded * columns;
    for (let row = 0; row < rows; row++) {
      const blockStart = Math.floor(row / LANE_BLOCK_ROWS) * LANE_BLOCK_ROWS * steps;
      const lane = row % LANE_BLOCK_ROWS;
      for (let step = 0; step < steps; step++) {
        const from = source + row * columns + step * 4;
        const to = target + (blockStart + step * LANE_BLOCK_ROWS + lane) * 4;
        blocked.set(values.subarray(from, from + 4), to);
      }
    }
  }
  return blocked;
}

/** Rows a lane-blocked matrix of `rows` rows stores. */
export function laneBlockedRows(rows: number): number {
  return Math.ceil(rows / LANE_BLOCK_ROWS) * LANE_BLOCK_ROWS;
}

/**
 * WGSL: `rowStart(n, steps)`, the vec4 index where row n begins, and ROW_STEP, the vec4s between
 * its consecutive column steps, for a lane-blocked matrix or (`laneBlocked` false) a row-major one.
 */
export function rowAddressing(laneBlocked: boolean): string {
  return laneBlocked
    ? /* wgsl */ `
const ROW_STEP = ${LANE_BLOCK_ROWS}u;
fn rowStart(n: u32, steps: u32) -> u32 {
  return (n / ${LANE_BLOCK_ROWS}u) * ${LANE_BLOCK_ROWS}u * steps + n % ${LANE_BLOCK_ROWS}u;
}`
    : /* wgsl */ `
const ROW_STEP = 1u;
fn rowStart(n: u32, steps: u32) -> u32 { return n * steps; }`;
}
