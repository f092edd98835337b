import { describe, it } from 'vitest';
import { add, batchMatmul } from '../../../src/index.ts';
import { gemv } from '../../../src/ops/fused/gemv.ts';
import { expectClose } from '../helpers.ts';
import { fusedBench } from './fused-helpers.ts';

describe('gemv against batchMatmul (x W^T) and add', () => {
  it.each([
    [1, 16, 9],
    [3, 10, 5],
    [8, 64, 33],
  ])(
    '%i tokens, %i inputs -> %i outputs, with a bias, then accumulated',
    async (tokens, inputs, outputs) => {
      const bench = await fusedBench();
      const x = bench.random([tokens, inputs], tokens);
      const weight = bench.random([outputs, inputs], inputs);
      const bias = bench.random([outputs], outputs);
      const product = batchMatmul(x, weight, { transposeB: true });
      const expected = add(product, bias);
      const fused = bench.output([tokens, outputs]);
      gemv(bench.engine, x, weight, bias, fused, tokens, {
        inputs,
        outputs,
        hasBias: true,
        accumulate: false,
      });
      expectClose(await fused.read(), await expected.read(), 1e-5);
      gemv(bench.engine, x, weight, bias, fused, tokens, {
        inputs,
        outputs,
        hasBias: false,
        accumulate: true,
      });
      expectClose(await fused.read(), await add(expected, product).read(), 1e-5);
    },
  );
});
