import { hasSubgroupsOf, type Gpu } from '../runtime/device.ts';
import type { Workgroups } from '../runtime/engine.ts';
import {
  COLUMNS_PER_INVOCATION,
  MATMUL_DIMS,
  matmulShader,
  ROWS_PER_WORKGROUP,
  WORKGROUP_SIZE,
  type MatmulInputType,
  type MatmulVariant,
} from './matmul-shader.ts';

/**
 * C[b] = op(A[b]) x op(B[b]) for b < batch, op transposing where asked; A and B stored row-major,
 * C row-major [batch, m, n]. A batch stride of 0 shares one matrix across the batch.
 */
export interface MatmulGeometry {
  batch: number;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  aBatchStride: number;
  bBatchStride: number;
  aType: MatmulInputType;
  bType: MatmulInputType;
  /** f16: products and sums in f16 (A and B f16); f32 otherwise. */
  compute: MatmulInputType;
  /**
   * B is a [n, k] weight stored lane-blocked (inference/kernels/row-streams.ts, transposeB):
   * only the windowed kernel reads it, when packing.
   */
  bLaneBlocked?: boolean;
}

/** Everything a dispatch of one geometry needs but the buffers. */
export interface MatmulPlan {
  pipelineKey: string;
  shader: () => string;
  /** The Dims uniform's u32s. */
  uniforms: ArrayBuffer;
  workgroups: Workgroups;
}

/** `subgroups: false` forces the kernel that adapters without subgroups get. */
export function planMatmul(gpu: Gpu, geometry: MatmulGeometry, subgroups = true): MatmulPlan {
  const variant = chooseVariant(gpu, geometry, subgroups);
  const strides = { ...matmulStrides(geometry), cBatchStride: geometry.m * geometry.n };
  const dims: Record<(typeof MATMUL_DIMS)[number], number> = { ...geometry, ...strides };
  return {
    pipelineKey:
      `matmul (${variant.layout}, A ${variant.aType}, B ${variant.bType}, ` +
      `${variant.compute} compute${variant.subgroups ? ', subgroups' : ''})`,
    shader: () => matmulShader(variant),
    uniforms: Uint32Array.from(MATMUL_DIMS, (name) => dims[name]).buffer,
    workgroups: matmulWorkgroups(geometry),
  };
}

/** Element strides of op(A)[row, kk] and op(B)[kk, column] in their stored matrices. */
export interface MatmulStrides {
  aRowStride: number;
  aColumnStride: number;
  bRowStride: number;
  bColumnStride: number;
}

export function matmulStrides({ m, k, n, transposeA, transposeB }: MatmulGeometry): MatmulStrides {
  return {
    aRowStride: transposeA ? 1 : k,
    aColumnStride: transposeA ? m : 1,
    bRowStride: transposeB ? 1 : n,
    bColumnStride: transposeB ? k : 1,
  };
}

/** Workgroups span ROWS_PER_WORKGROUP rows of C and 4 columns per invocation; z is the batch. */
export function matmulWorkgroups({ batch, m, n }: MatmulGeometry): [number, number, number] {
  return [
    Math.ceil(n / COLUMNS_PER_INVOCATION / WORKGROUP_SIZE),
    Math.ceil(m / ROWS_PER_WORKGROUP),
    batch,
  ];
}

function chooseVariant(
  gpu: Gpu,
  { k, n, transposeA, transposeB, aType, bType, compute }: MatmulGeometry,
  subgroups: boolean,
): MatmulVariant {
  return {
    layout: !transposeA && !transposeB && k % 4 === 0 && n % 4 === 0 ? 'vec4' : 'scalar',
    subgroups: subgroups && hasSubgroupsOf(gpu, ROWS_PER_WORKGROUP),
    aType,
    bType,
    compute,
  };
}
