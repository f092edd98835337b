import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { FmaCeiling } from '../src/bench/fma-ceiling.ts';
import { withFractions, type KernelBenchmarkResult } from '../src/bench/kernel-benchmark.ts';
import { formatKernelReport } from '../src/bench/kernel-report.ts';
import { measureVendorBlas } from '../src/bench/vendor-blas-peer.ts';
import type { DeviceInfo } from '../src/runtime/device-info.ts';

/** Decided here, independently of the code under test: python3 has torch and it sees a GPU. */
const cudaTorch =
  spawnSync(
    'python3',
    ['-c', 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'],
    {
      timeout: 60_000,
    },
  ).status === 0;

describe('vendor BLAS peer (cuBLAS through PyTorch)', () => {
  it.skipIf(cudaTorch)(
    'says why it measured nothing where python3 has no torch or no CUDA device',
    async () => {
      const peer = await measureVendorBlas([32], 1);
      expect(peer).toEqual({
        available: false,
        reason: expect.stringMatching(/torch is not installed|sees no CUDA device/),
      });
    },
  );

  it.skipIf(!cudaTorch)(
    'measures f32 and f16 cuBLAS matmuls (needs an NVIDIA GPU and PyTorch with CUDA)',
    async () => {
      const peer = await measureVendorBlas([32], 1);
      expect(peer.available).toBe(true);
      if (!peer.available) return;
      expect(peer.matmul.map(({ n, dtype }) => [n, dtype])).toEqual([
        [32, 'f32'],
        [32, 'f16'],
      ]);
      for (const { gflops } of peer.matmul) expect(gflops).toBeGreaterThan(0);
    },
  );

  it('names a missing python', async () => {
    expect(await measureVendorBlas([32], 1, 'factorlab-no-such-python')).toEqual({
      available: false,
      reason: 'factorlab-no-such-python is not installed',
    });
  });

  it('gives each matmul its fraction of the ceiling and of cuBLAS at the same n and type', () => {
    const ceiling = (dtype: 'f32' | 'f16', gflops: number): FmaCeiling => ({
      dtype,
      gflops,
      invocations: 1,
      fmasPerInvocation: 1,
      shapes: [],
    });
    const ceilings = { f32: ceiling('f32', 50_000), f16: ceiling('f16', 100_000) };
    const vendorBlas = {
      available: true as const,
      peer: 'cublas-through-pytorch' as const,
      torch: '2.11.0',
      cuda: '13.0',
      device: 'NVIDIA H200',
      matmul: [
        { n: 1024, dtype: 'f32' as const, gflops: 40_000 },
        { n: 1024, dtype: 'f16' as const, gflops: 300_000 },
      ],
    };
    const timing = {
      n: 1024,
      kernel: 'tiled-64' as const,
      chosen: true,
      repeats: 1,
      trials: 1,
      medianGflops: 1,
      maxRelativeError: 1e-7,
      correct: true,
    };
    const f32 = { ...timing, dtype: 'f32' as const, compute: 'f32' as const, gflops: 20_000 };
    expect(withFractions(f32, ceilings, vendorBlas)).toEqual({
      ...f32,
      ceilingFraction: 0.4,
      ceilingDtype: 'f32',
      vendorBlasFraction: 0.5,
    });
    const f16Compute = {
      ...timing,
      dtype: 'f16' as const,
      compute: 'f16' as const,
      gflops: 30_000,
    };
    expect(withFractions(f16Compute, ceilings, vendorBlas)).toMatchObject({
      ceilingFraction: 0.3,
      ceilingDtype: 'f16',
      vendorBlasFraction: 0.1,
    });
    // f16 inputs summed in f32 match neither cuBLAS figure; nothing is compared where it did not run.
    const f16Inputs = { ...f16Compute, compute: 'f32' as const };
    expect(withFractions(f16Inputs, ceilings, vendorBlas)).not.toHaveProperty('vendorBlasFraction');
    const unmeasured = { available: false as const, reason: 'no torch' };
    expect(withFractions(f32, ceilings, unmeasured)).not.toHaveProperty('vendorBlasFraction');
    expect(withFractions(f16Compute, { ...ceilings, f16: undefined }, unmeasured)).toMatchObject({
      ceilingDtype: 'f32',
    });
  });

  it('prints cuBLAS beside the engine matmul of the same size and type', () => {
    const adapter: DeviceInfo = {
      vendor: 'nvidia',
      architecture: 'hopper',
      device: 'NVIDIA H200',
      description: 'NVIDIA H200',
      backend: 'vulkan',
      isCpu: false,
      features: [],
    };
    const timing = {
      repeats: 1,
      trials: 1,
      medianGflops: 1,
      ceilingFraction: 0.5,
      maxRelativeError: 1e-7,
      correct: true,
    };
    const chosen = { kernel: 'tiled-64' as const, chosen: true };
    const other = { kernel: 'tiled-128' as const, chosen: false };
    const matmulRow = (
      dtype: 'f32' | 'f16',
      compute: 'f32' | 'f16',
      gflops: number,
      kernel: typeof chosen | typeof other,
    ) => ({ n: 1024, dtype, compute, gflops, ceilingDtype: compute, ...timing, ...kernel });
    const result: KernelBenchmarkResult = {
      adapter,
      fmaCeilingGflops: 100,
      fmaCeilings: [],
      matmul: [
        matmulRow('f32', 'f32', 20_000, chosen),
        matmulRow('f32', 'f32', 24_000, other),
        matmulRow('f16', 'f32', 30_000, chosen),
        matmulRow('f16', 'f16', 45_000, chosen),
        // Fast but wrong: never the fastest kernel.
        { ...matmulRow('f16', 'f16', 90_000, other), correct: false, maxRelativeError: 0.3 },
      ],
      blasGflops: null,
      blas: { available: false, reason: 'numpy is not installed' },
      vendorBlas: {
        available: true,
        peer: 'cublas-through-pytorch',
        torch: '2.11.0',
        cuda: '13.0',
        device: 'NVIDIA H200',
        matmul: [
          { n: 1024, dtype: 'f32', gflops: 40_000 },
          { n: 1024, dtype: 'f16', gflops: 300_000 },
        ],
      },
      trainingStep: {
        dims: { tokens: 128, width: 256, hidden: 704, vocabulary: 1024 },
        parameters: 1,
        ms: 10,
        medianMs: 10,
        dispatches: 100,
        submits: 1,
        emptyDispatchesMs: 1,
        readbackMs: 0.1,
        overheadFraction: 0.11,
      },
      ops: [],
    };
    const lines = formatKernelReport(result).split('\n');
    expect(lines).toContain('cuBLAS through PyTorch 2.11.0 (CUDA 13.0) on NVIDIA H200:');
    // f16 is compared with the engine's f16-compute matmul, not the f16-input f32-compute one.
    // The chosen kernel's figure, then the fastest correct kernel's.
    expect(lines).toContainEqual(
      expect.stringMatching(/^1024 +f32 +40000\.0 +20000\.0 +50% +tiled-128 +24000\.0 +60%$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^1024 +f16 +300000\.0 +45000\.0 +15% +tiled-64 +45000\.0 +15%$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^1024 +f16 +f16 +tiled-128 .* WRONG 3\.0e-1$/),
    );
  });
});
