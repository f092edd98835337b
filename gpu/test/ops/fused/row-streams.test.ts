import { describe, it } from 'vitest';
import { add, batchMatmul, rmsNorm, swiglu, tensor } from '../../../src/index.ts';
import { streamProduct, streamSwiglu } from '../../../src/ops/fused/row-streams.ts';
import { expectClose } from '../helpers.ts';
import { fusedBench } from './fused-helpers.ts';
import { laneBlock } from '../../../src/kernel/lane-blocked.ts';

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

/**
 * f16 weights reach the row-streaming kernels as u32 words, two halves each (kernel.ts,
 * vec4Reads): against the f32 ops on the same rounded values, row-major and lane-blocked.
 */
describe('row streams of f16 weights', () => {
  const [tokens, inputs] = [3, 36];

  /** Seeded weights rounded to f16, as f32 values (for the reference) and stored in f16. */
  async function halfWeight(seed: number, rows: number, laneBlocked: boolean, groups = 1) {
    const bench = await fusedBench();
    const shape = [rows, inputs];
    const rounded = await tensor(bench.gpu, await bench.random(shape, seed).read(), shape, {
      dtype: 'f16',
    }).read();
    const stored = laneBlocked ? laneBlock(rounded, inputs, groups) : rounded;
    return {
      bench,
      reference: tensor(bench.gpu, rounded, shape),
      weight: tensor(bench.gpu, stored, [stored.length / inputs, inputs], { dtype: 'f16' }),
    };
  }

  it.each([false, true])('streamProduct, lane-blocked %s', async (laneBlocked) => {
    const outputs = 37;
    const { bench, reference, weight } = await halfWeight(31, outputs, laneBlocked);
    const x = bench.random([tokens, inputs], 32);
    const fused = bench.output([tokens, outputs]);
    const launch = { x, weight, bias: x, hasBias: false, y: fused, firstToken: 0, tokens };
    streamProduct(bench.engine, { ...launch, outputs, laneBlocked, norm: undefined }, false);
    const expected = batchMatmul(x, reference, { transposeB: true });
    expectClose(await fused.read(), await expected.read(), 1e-5);
  });

  it.each([false, true])('streamSwiglu, lane-blocked %s', async (laneBlocked) => {
    const width = 9;
    const { bench, reference, weight } = await halfWeight(33, 2 * width, laneBlocked, 2);
    const x = bench.random([tokens, inputs], 34);
    const fused = bench.output([tokens, width]);
    const launch = { x, weight, bias: x, hasBias: false, y: fused, firstToken: 0, tokens };
    streamSwiglu(bench.engine, { ...launch, outputs: width, laneBlocked, norm: undefined });
    const product = await batchMatmul(x, reference, { transposeB: true }).read();
    const half = (offset: number) =>
      tensor(
        bench.gpu,
        Float32Array.from({ length: tokens * width }, (_, i) => {
          const [t, n] = [Math.floor(i / width), i % width];
          return product[t * 2 * width + offset + n]!;
        }),
        [tokens, width],
      );
    expectClose(await fused.read(), await swiglu(half(0), half(width)).read(), 1e-5);
  });
});
