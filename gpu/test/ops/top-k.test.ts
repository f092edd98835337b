import { describe, expect, it } from 'vitest';
import { acquireGpu, tensor, topK } from '../../src/index.ts';
import { randomValues } from './helpers.ts';

/** Each row's columns sorted by value descending, ties by index ascending, first k. */
function referenceTopK(values: Float64Array, columns: number, k: number): number[] {
  const chosen: number[] = [];
  for (let start = 0; start < values.length; start += columns) {
    const order = Array.from({ length: columns }, (_, column) => column).sort(
      (a, b) => values[start + b]! - values[start + a]! || a - b,
    );
    chosen.push(...order.slice(0, k));
  }
  return chosen;
}

describe('topK', () => {
  it.each([
    [1, 1, 1],
    [7, 4, 2],
    [33, 8, 1],
    [250, 16, 5],
    [3, 7, 7],
  ])('picks the largest entries of %i rows of %i columns, k=%i', async (rows, columns, k) => {
    const gpu = await acquireGpu();
    const values = Float64Array.from(Float32Array.from(randomValues(rows * columns, rows + k)));
    const { indices, mask } = topK(tensor(gpu, Float32Array.from(values), [rows, columns]), k);
    const expected = referenceTopK(values, columns, k);
    expect(indices.shape).toEqual([rows, k]);
    expect([...(await indices.readIndices())]).toEqual(expected);
    const expectedMask = new Array<number>(rows * columns).fill(0);
    expected.forEach(
      (column, index) => (expectedMask[Math.floor(index / k) * columns + column] = 1),
    );
    expect([...(await mask.read())]).toEqual(expectedMask);
  });

  it('breaks ties toward the lower index', async () => {
    const gpu = await acquireGpu();
    const { indices } = topK(tensor(gpu, [1, 3, 3, 1, 3], [1, 5]), 2);
    expect([...(await indices.readIndices())]).toEqual([1, 2]);
  });

  it('rejects k outside 1..columns, naming the op and shape', async () => {
    const gpu = await acquireGpu();
    expect(() => topK(tensor(gpu, [1, 2, 3, 4], [2, 2]), 3)).toThrow(
      'topK([2, 2] f32, k 3): k must be an integer from 1 to 2',
    );
  });
});
