import { describe, it } from 'vitest';
import { add, batchMatmul, rmsNorm, swiglu, tensor } from '../../../src/index.ts';
import { streamProduct, streamSwiglu } from '../../../src/ops/fused/row-streams.ts';
import { expectClose } from '../helpers.ts';
import { fusedBench } from './fused-helpers.ts';

describe('row streams (CPU family) against rmsNorm, batchMatmul, add and swiglu', () => {
  it.each([false, true])(
    'streamProduct, input normed %s: rmsNorm(x) W^T + bias',
    async (normed) => {
      const bench = await fusedBench();
      const [tokens, inputs, outputs] = [5, 32, 11];
      const x = bench.random([tokens, inputs], 1);
      const weight = bench.random([outputs, inputs], 2);
      const bias = bench.random([outputs], 3);
      const normWeight = bench.random([inputs], 4, 0.5, 1.5);
      const n = normed ? rmsNorm(x, normWeight, { eps: 1e-5 }) : x;
      const expected = add(batchMatmul(n, weight, { transposeB: true }), bias);
      const fused = bench.output([tokens, outputs]);
      streamProduct(
        bench.engine,
        {
          x,
          weight,
          bias,
          hasBias: true,
          y: fused,
          firstToken: 0,
          tokens,
          outputs,
          laneBlocked: false,
          norm: normed ? { weight: normWeight, eps: 1e-5 } : undefined,
        },
        false,
      );
      expectClose(await fused.read(), await expected.read(), 1e-5);
    },
  );

  it('streamSwiglu of stacked gate and up: swiglu(x Wg^T, x Wu^T)', async () => {
    const bench = await fusedBench();
    const [tokens, inputs, width] = [3, 16, 7];
    const x = bench.random([tokens, inputs], 5);
    const gate = bench.random([width, inputs], 6);
    const up = bench.random([width, inputs], 7);
    const values = new Float32Array(2 * width * inputs);
    values.set(await gate.read());
    values.set(await up.read(), width * inputs);
    const gateUp = tensor(bench.gpu, values, [2 * width, inputs]);
    const expected = swiglu(
      batchMatmul(x, gate, { transposeB: true }),
      batchMatmul(x, up, { transposeB: true }),
    );
    const fused = bench.output([tokens, width]);
    streamSwiglu(bench.engine, {
      x,
      weight: gateUp,
      bias: gateUp,
      hasBias: false,
      y: fused,
      firstToken: 0,
      tokens,
      outputs: width,
      laneBlocked: false,
      norm: undefined,
    });
    expectClose(await fused.read(), await expected.read(), 1e-5);
  });
});
