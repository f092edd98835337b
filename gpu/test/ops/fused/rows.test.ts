import { describe, expect, it } from 'vitest';
import { add, embedding, rmsNorm, swiglu, tensor } from '../../../src/index.ts';
import {
  addInPlace,
  embedTokens,
  gatherRows,
  placeColumns,
  rmsNormRows,
  swigluHalves,
} from '../../../src/ops/fused/rows.ts';
import { expectClose } from '../helpers.ts';
import { fusedBench } from './fused-helpers.ts';

describe('fused rows kernels against the ops they fuse', () => {
  it('embedTokens (ids from a list, the table in two row blocks) equals embedding', async () => {
    const bench = await fusedBench();
    const table = bench.random([13, 8], 1);
    const values = await table.read();
    const blocks = [
      tensor(bench.gpu, values.slice(0, 8 * 8), [8, 8]),
      tensor(bench.gpu, values.slice(8 * 8), [5, 8]),
    ];
    const idList = [3, 0, 12, 3, 8];
    const ids = bench.ints(idList, [idList.length]);
    const fused = bench.output([idList.length, 8]);
    const rowBlocks = { blocks, blockRows: 8, rows: 13, columns: 8, laneBlocked: false };
    embedTokens(bench.engine, rowBlocks, ids, fused, 1);
    expectClose(await fused.read(), await embedding(table, ids).read(), 0);
  });

  it('gatherRows equals embedding with the rows as ids', async () => {
    const bench = await fusedBench();
    const x = bench.random([6, 5], 2);
    const rows = bench.ints([5, 1, 1], [3]);
    const fused = bench.output([3, 5]);
    gatherRows(bench.engine, x, rows, fused);
    expectClose(await fused.read(), await embedding(x, rows).read(), 0);
  });

  it.each(['cpu', 'gpu'] as const)('rmsNormRows (%s family) equals rmsNorm', async (target) => {
    const bench = await fusedBench();
    const x = bench.random([5, 24], 3);
    const weight = bench.random([24], 4, 0.5, 1.5);
    const fused = bench.output([5, 24]);
    rmsNormRows(bench.engine, target, x, weight, fused, 5, 1e-5);
    expectClose(await fused.read(), await rmsNorm(x, weight, { eps: 1e-5 }).read(), 1e-6);
  });

  it('swigluHalves of stacked gate and up equals swiglu of the halves', async () => {
    const bench = await fusedBench();
    const gate = bench.random([4, 6], 5);
    const up = bench.random([4, 6], 6);
    const gateUp = bench.output([4, 12]);
    placeColumns(bench.engine, gate, gateUp, 0);
    placeColumns(bench.engine, up, gateUp, 6);
    const fused = bench.output([4, 6]);
    swigluHalves(bench.engine, gateUp, fused, 4);
    expectClose(await fused.read(), await swiglu(gate, up).read(), 1e-6);
  });

  it('addInPlace (a residual with a bias) equals add', async () => {
    const bench = await fusedBench();
    const x = bench.random([3, 7], 7);
    const y = bench.random([3, 7], 8);
    const bias = bench.random([7], 9);
    const expected = await add(add(x, y), bias).read();
    addInPlace(bench.engine, x, y, bias, bias, 3);
    expectClose(await x.read(), expected, 1e-6);
  });

  it('placeColumns puts a block where it belongs', async () => {
    const bench = await fusedBench();
    const block = bench.random([2, 3], 10);
    const wide = bench.output([2, 5]);
    placeColumns(bench.engine, block, wide, 2);
    const values = await block.read();
    expect(Array.from((await wide.read()).slice(2, 5))).toEqual(Array.from(values.slice(0, 3)));
    expect(Array.from((await wide.read()).slice(7, 10))).toEqual(Array.from(values.slice(3, 6)));
  });
});
