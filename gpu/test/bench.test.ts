import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { measureBlasPeer } from '../src/bench/blas-peer.ts';
import { betterCeiling, type FmaCeiling } from '../src/bench/fma-ceiling.ts';
import { FMA_SHAPES } from '../src/bench/fma-shader.ts';
import { textTable } from '../src/bench/text-table.ts';
import {
  acquireGpu,
  formatKernelReport,
  MATMUL_KERNELS,
  registeredOps,
  runKernelBenchmark,
} from '../src/index.ts';

/** Decided here, independently of the code under test: the python3 on the PATH has numpy. */
const numpyInstalled =
  spawnSync('python3', ['-c', 'import numpy'], { timeout: 60_000 }).status === 0;

/** Positive and finite: a measured rate, whatever the machine's speed. */
const aRate = expect.toSatisfy((value: number) => Number.isFinite(value) && value > 0);

/** Tiny sizes and short loops: the tests check the result's shape, never the speed. */
const TINY = {
  repeats: 1,
  trials: 1,
  fma: { trialSeconds: 0.002, workgroups: 16 },
  blasSize: 32,
  trainingDims: { tokens: 4, width: 8, hidden: 12, vocabulary: 16 },
  trainingSteps: 1,
  opDims: {
    tokens: 4,
    width: 8,
    vocabulary: 16,
    heads: 2,
    kvHeads: 1,
    headWidth: 4,
    experts: 3,
    topK: 2,
    expertWidth: 4,
  },
};

// Not timed tests: they check what the benchmark measures and reports, never the speed.
describe('kernel benchmark', () => {
  it('measures the FMA ceiling, matmuls against it and the BLAS peer', async () => {
    const gpu = await acquireGpu();
    const stages: string[] = [];

    const result = await runKernelBenchmark(gpu, {
      ...TINY,
      sizes: [32],
      onProgress: (stage) => stages.push(stage),
    });

    expect(result.adapter).toEqual(gpu.info);
    expect(result.fmaCeilingGflops).toEqual(aRate);
    const [f32Ceiling, f16Ceiling] = result.fmaCeilings;
    expect(f32Ceiling).toEqual({
      dtype: 'f32',
      gflops: result.fmaCeilingGflops,
      invocations: 16 * 64,
      fmasPerInvocation: expect.any(Number),
      shapes: FMA_SHAPES.map((shape) => ({
        ...shape,
        gflops: aRate,
        fmasPerInvocation: expect.any(Number),
      })),
    });
    // The ceiling is the fastest shape's figure.
    if (f32Ceiling && 'shapes' in f32Ceiling) {
      expect(f32Ceiling.gflops).toBe(Math.max(...f32Ceiling.shapes.map((shape) => shape.gflops)));
    }
    const hasF16 = gpu.device.features.has('shader-f16');
    const skippedF16 = { dtype: 'f16', skipped: 'the device lacks shader-f16' };
    expect(f16Ceiling).toEqual(
      hasF16 ? expect.objectContaining({ dtype: 'f16', gflops: aRate }) : skippedF16,
    );
    // The chosen kernel's rows; on a CPU adapter only those (every kernel: see the next test).
    // The kernel a 32 x 32 x 32 product takes by the documented rules, written out rather than
    // asked of the engine: on CPU adapters the register-tiled one (the windowed kernel starts at
    // 64 rows for vec4-shaped products, where it measured faster); on GPUs the 64-wide tiled one
    // (both sides at least 32, far fewer than 256 of the 128-wide tiles).
    const chosenKernel = gpu.info.isCpu ? 'register' : 'tiled-64';
    const timed = (dtype: string, compute: string) => ({
      n: 32,
      dtype,
      compute,
      kernel: chosenKernel,
      chosen: true,
      repeats: 1,
      trials: 1,
      gflops: aRate,
      medianGflops: aRate,
      ceilingFraction: aRate,
      ceilingDtype: compute,
      // Against float64 sums of the inputs as stored, measured on lavapipe: 1-2e-7 with f32
      // sums, 1.0e-3 with f16 compute (every partial sum rounded); 1e-5 and 1e-2 leave 10x or more.
      maxRelativeError: expect.toSatisfy(
        (error: number) => error >= 0 && error < (compute === 'f16' ? 1e-2 : 1e-5),
      ),
      correct: true,
    });
    const f16Row = (compute: string) =>
      hasF16 ? timed('f16', compute) : { n: 32, compute, ...skippedF16 };
    const chosenRows = result.matmul.filter((row) => 'skipped' in row || row.chosen);
    expect(chosenRows).toEqual([timed('f32', 'f32'), f16Row('f32'), f16Row('f16')]);
    if (gpu.info.isCpu) expect(result.matmul).toEqual(chosenRows);
    // f16 compute is compared with the f16 ceiling of the same run.
    const f16Compute = chosenRows[2]!;
    if ('gflops' in f16Compute && f16Ceiling && 'gflops' in f16Ceiling) {
      expect(f16Compute.ceilingFraction).toBeCloseTo(f16Compute.gflops / f16Ceiling.gflops, 12);
    }
    expect(result.blasGflops).toEqual(result.blas.available ? aRate : null);
    // cuBLAS through PyTorch where python3 has torch and a CUDA device; else the reason.
    expect(result.vendorBlas).toEqual(
      result.vendorBlas.available
        ? expect.objectContaining({ peer: 'cublas-through-pytorch' })
        : { available: false, reason: expect.any(String) },
    );
    expect(stages).toContain('vendor BLAS (cuBLAS through PyTorch)');
    // A training step beside its dispatches and readback alone.
    expect(result.trainingStep).toEqual({
      dims: { tokens: 4, width: 8, hidden: 12, vocabulary: 16 },
      parameters: 16 * 8 + 8 + 3 * 8 * 12 + 8 + 8 * 16,
      ms: aRate,
      medianMs: aRate,
      dispatches: expect.toSatisfy((count: number) => Number.isInteger(count) && count > 20),
      submits: 1,
      emptyDispatchesMs: aRate,
      readbackMs: aRate,
      overheadFraction: aRate,
    });
    // Every registered op, and the engine's ops that are not registered ones, by name.
    const unregistered = ['attention', 'groupByExpert', 'topK'];
    expect(result.ops.map((timing) => timing.op)).toEqual(
      [...new Set([...registeredOps(), ...unregistered])].sort(),
    );
    // The expert ops run on groups prepared before timing; the unregistered ops are timed too.
    // Forward and backward too, but for the ops without a gradient.
    const withoutGradient = ['groupByExpert', 'topK'];
    const backwardTimes = (op: string) =>
      withoutGradient.includes(op) ? {} : { backwardMs: aRate, backwardMedianMs: aRate };
    for (const op of ['expertMatmul', 'combineExperts', ...unregistered]) {
      expect(result.ops.find((timing) => timing.op === op)).toEqual({
        op,
        inputs: expect.any(String),
        ms: aRate,
        medianMs: aRate,
        ...backwardTimes(op),
      });
    }
    // Every op is timed, forward and (with a gradient) backward: none skipped, none failing.
    for (const { op, ...rest } of result.ops) {
      expect(rest).toEqual({
        inputs: expect.any(String),
        ms: aRate,
        medianMs: aRate,
        ...backwardTimes(op),
      });
    }
    expect(stages).toContain('matmul n=32 (f32)');
    // Measured on both sides of the matmuls.
    expect(stages.indexOf('FMA ceiling (f32, before the matmuls)')).toBeLessThan(
      stages.indexOf('matmul n=32 (f32)'),
    );
    expect(stages.indexOf('FMA ceiling (f32, after the matmuls)')).toBeGreaterThan(
      stages.indexOf('matmul n=32 (f32)'),
    );
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);

    const report = formatKernelReport(result);
    expect(report).toContain(gpu.info.description || gpu.info.device);
    expect(report).toMatch(
      /^32 +f32 +f32 +[\w-]+ \(chosen\) +[\d.]+ +[\d.]+ +\d+% of f32 +ok \d\.\de-\d+$/m,
    );
    expect(report).toMatch(
      /^Training step \(4 tokens, width 8, FFN 12, vocabulary 16, 560 parameters/m,
    );
    expect(report).toMatch(/^f32 +8 x 1 +[\d.]+ +1024 +\d+/m);
    expect(report).toMatch(/^f32 +4 x 4 +[\d.]+ +1024 +\d+/m);
    expect(report.match(/^f(32|16) +\d+ x \d+ .* ceiling$/gm)).toHaveLength(hasF16 ? 2 : 1);
  });

  it('times every kernel where asked, each checked against float64, the chosen one first', async () => {
    const gpu = await acquireGpu();
    const result = await runKernelBenchmark(gpu, { ...TINY, sizes: [40], kernels: 'all' });
    const f32 = result.matmul.filter((row) => row.dtype === 'f32');
    const kernels = f32.map((row) => ('kernel' in row ? row.kernel : row.skipped));
    expect(new Set(kernels)).toEqual(new Set(MATMUL_KERNELS));
    expect(kernels).toHaveLength(MATMUL_KERNELS.length);
    expect(f32.map((row) => 'chosen' in row && row.chosen)).toEqual([true, false, false]);
    for (const row of result.matmul) {
      if ('skipped' in row) continue;
      expect(row).toMatchObject({ correct: true, gflops: aRate });
    }
  });

  it('keeps the better figure of each FMA shape from two measurements', () => {
    const measured = (rates: number[]): FmaCeiling => ({
      dtype: 'f32',
      gflops: Math.max(...rates),
      invocations: 64,
      fmasPerInvocation: 0,
      shapes: rates.map((gflops, index) => ({
        chains: index + 1,
        depth: 1,
        gflops,
        fmasPerInvocation: 100 * (index + 1),
      })),
    });
    const better = betterCeiling(measured([10, 30]), measured([20, 25]));
    expect(better.shapes.map((shape) => shape.gflops)).toEqual([20, 30]);
    expect(better.gflops).toBe(30);
    expect(better.fmasPerInvocation).toBe(200);
    expect(betterCeiling(measured([10, 30]), measured([40, 25])).gflops).toBe(40);
  });

  it.skipIf(!numpyInstalled)(
    "times numpy's sgemm and names the BLAS it ran on (needs python3 with numpy)",
    async () => {
      const peer = await measureBlasPeer(64, 1);
      expect(peer).toMatchObject({ available: true, n: 64, gflops: aRate });
      const { blas } = peer as { blas: string };
      console.log(`numpy sgemm peer ran on BLAS: ${blas}`);
      expect(blas).not.toBe('unknown');
      // CI installs OpenBLAS: the reference BLAS would make the peer a straw man.
      if (process.env.FACTORLAB_REQUIRE_OPENBLAS === '1') expect(blas).toMatch(/openblas/i);
    },
  );

  it('reports the BLAS peer as unavailable, with the reason, when python is missing', async () => {
    expect(await measureBlasPeer(32, 1, 'factorlab-no-such-python')).toEqual({
      available: false,
      reason: 'factorlab-no-such-python is not installed',
    });
  });
});

describe('textTable', () => {
  it('aligns labels left and numbers right, and lets a short row end in a note', () => {
    const table = textTable(
      ['name', 'value', 'count'],
      [
        ['a', '1.5', '7'],
        ['longer', '22.0', '12'],
        ['c', 'skipped: a long reason'],
      ],
      1,
    );
    expect(table.split('\n')).toEqual([
      'name    value  count',
      'a         1.5      7',
      'longer   22.0     12',
      'c       skipped: a long reason',
    ]);
  });
});
