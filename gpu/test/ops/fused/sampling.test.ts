import { describe, expect, it } from 'vitest';
import { tensor, topK } from '../../../src/index.ts';
import { argmaxRows } from '../../../src/ops/fused/sampling.ts';
import { fusedBench } from './fused-helpers.ts';

describe('argmaxRows against topK with k 1', () => {
  it.each([
    [1, 5],
    [4, 300],
    [3, 1031],
  ])('%i rows of %i logits', async (rows, columns) => {
    const bench = await fusedBench();
    const logits = bench.random([rows, columns], columns);
    const ids = bench.output([rows], 'i32');
    argmaxRows(bench.engine, logits, ids);
    const { indices } = topK(logits, 1);
    expect([...(await ids.readIndices())]).toEqual([...(await indices.readIndices())]);
  });

  it('takes the lower index on ties, as topK does', async () => {
    const bench = await fusedBench();
    const tied = bench.random([1, 6], 1, 0, 0.5);
    const values = await tied.read();
    values[4] = 2;
    values[1] = 2;
    const input = tensor(bench.gpu, values, [1, 6]);
    const ids = bench.output([1], 'i32');
    argmaxRows(bench.engine, input, ids);
    expect([...(await ids.readIndices())]).toEqual([
      ...(await topK(input, 1).indices.readIndices()),
    ]);
    expect([...(await ids.readIndices())]).toEqual([1]);
  });
});
