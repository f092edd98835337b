import type { Engine } from '../runtime/engine.ts';

/**
 * Which family of kernels suits the adapter: CPU implementations of WebGPU (lavapipe) run an
 * invocation per SIMD lane and favour long sequential loops per invocation; GPUs favour many
 * invocations sharing work through subgroups and workgroup memory. Tests force each on any adapter.
 */
export type KernelTarget = 'cpu' | 'gpu';

export function defaultKernelTarget(engine: Engine): KernelTarget {
  return engine.gpu.info.isCpu ? 'cpu' : 'gpu';
}

/**
 * Workgroup size of the CPU family's per-lane kernels: one SIMD register on lavapipe (8 f32
 * lanes), so small launches still split into enough workgroups for every CPU thread to take some.
 */
export const LANE_WORKGROUP = 8;
