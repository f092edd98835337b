import { describe, expect, it } from 'vitest';
import { LANE_BLOCK_ROWS, laneBlock, laneBlockedRows } from '../../src/kernel/lane-blocked.ts';

describe('laneBlock', () => {
  it('puts the vec4 at (row n, step i) at (n / 32) * 32 * steps + i * 32 + n % 32, zero-padded', () => {
    const rows = 37;
    const columns = 12;
    const steps = columns / 4;
    const values = Float32Array.from({ length: rows * columns }, (_, index) => index + 1);
    const blocked = laneBlock(values, columns);
    expect(laneBlockedRows(rows)).toBe(2 * LANE_BLOCK_ROWS);
    expect(blocked).toHaveLength(2 * LANE_BLOCK_ROWS * columns);
    for (let row = 0; row < rows; row++) {
      for (let step = 0; step < steps; step++) {
        const vector =
          Math.floor(row / LANE_BLOCK_ROWS) * LANE_BLOCK_ROWS * steps +
          step * LANE_BLOCK_ROWS +
          (row % LANE_BLOCK_ROWS);
        expect(Array.from(blocked.subarray(vector * 4, vector * 4 + 4))).toEqual(
          Array.from(values.subarray(row * columns + step * 4, row * columns + step * 4 + 4)),
        );
      }
    }
    // Every value lands once; the padding rows are zeros.
    expect(blocked.filter((value) => value !== 0)).toHaveLength(values.length);
  });

  it('blocks and pads stacked matrices each on their own (gate and up), f16 bits too', () => {
    const columns = 4;
    const half = 3;
    const values = Uint16Array.from({ length: 2 * half * columns }, (_, index) => index + 1);
    const blocked = laneBlock(values, columns, 2);
    expect(blocked).toBeInstanceOf(Uint16Array);
    expect(blocked).toHaveLength(2 * LANE_BLOCK_ROWS * columns);
    const upStart = LANE_BLOCK_ROWS * columns;
    expect(Array.from(blocked.subarray(upStart, upStart + 4))).toEqual([13, 14, 15, 16]);
    expect(Array.from(blocked.subarray(0, 4))).toEqual([1, 2, 3, 4]);
  });
});
