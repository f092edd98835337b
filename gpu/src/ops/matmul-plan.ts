import { hasSubgroupsOf, type Gpu } from '../runtime/device.ts';
import type { Workgroups } from '../runtime/engine.ts';
import { tiledMatmulShader, type MatmulTile } from './matmul-tiled-shader.ts';
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
   * B is a [n, k] weight stored lane-blocked (ops/fused/row-streams.ts, transposeB):
   * only the windowed kernel reads it, when packing.
   */
  bLaneBlocked?: boolean;
}

/**
 * The kernels a product can take besides the CPU adapters' windowed one (matmul-window.ts, which
 * callers choose first where it serves): `register`, the register-tiled kernel of
 * matmul-shader.ts (few rows of C, and CPU adapters), and `tiled-64` / `tiled-128`, the
 * workgroup-memory kernel of matmul-tiled-shader.ts at either block size (GPUs).
 */
export type MatmulKernel = 'register' | 'tiled-64' | 'tiled-128';
export const MATMUL_KERNELS: readonly MatmulKernel[] = ['register', 'tiled-64', 'tiled-128'];

export interface MatmulKernelOptions {
  /**
   * The kernel (default 'auto': the windowed kernel on CPU adapters where it serves, else
   * autoMatmulKernel's choice). Forcing one is for comparing kernels and for testing them on any
   * adapter.
   */
  kernel?: MatmulKernel | 'auto';
  /**
   * Allow subgroup operations where the device supports them (default true); false forces the
   * kernel that adapters without subgroups get (the register-tiled one without them).
   */
  subgroups?: boolean;
}

/** Throws, naming the call, unless `kernel` is 'auto' or one of MATMUL_KERNELS. */
export function checkKernel(call: string, kernel: string): void {
  if (kernel !== 'auto' && !(MATMUL_KERNELS as readonly string[]).includes(kernel)) {
    throw new Error(
      `${call}: unknown matmul kernel "${kernel}"; use auto, ${MATMUL_KERNELS.join(', ')}`,
    );
  }
}

/**
 * Fewest rows and columns of C for which a GPU takes the workgroup-memory kernel: below them the
 * register-tiled kernel's 8-row blocks waste less (decode-sized products). Not yet tuned on a GPU:
 * `lab bench kernels` times every kernel on GPU adapters so a device run can set it.
 */
const MIN_TILED_SIDE = 32;
/** Blocks of 128 x 128 a product must fill before it takes them over 64 x 64 (enough for a large GPU). */
const MIN_LARGE_TILES = 256;

/**
 * The kernel a product takes when none is asked for: on GPU adapters the workgroup-memory kernel
 * for all but thin products, in 128-wide blocks where there are enough of them; on CPU adapters
 * (where workgroup memory is read lane by lane) the register-tiled one.
 */
export function autoMatmulKernel(gpu: Gpu, { batch, m, n }: MatmulGeometry): MatmulKernel {
  if (gpu.info.isCpu || m < MIN_TILED_SIDE || n < MIN_TILED_SIDE) return 'register';
  const largeTiles = Math.ceil(m / 128) * Math.ceil(n / 128) * batch;
  return largeTiles >= MIN_LARGE_TILES ? 'tiled-128' : 'tiled-64';
}

/** Everything a dispatch of one geometry needs but the buffers. */
export interface MatmulPlan {
  kernel: MatmulKernel;
  pipelineKey: string;
  shader: () => string;
  /** The Dims uniform's u32s. */
  uniforms: ArrayBuffer;
  workgroups: Workgroups;
}

export function planMatmul(
  gpu: Gpu,
  geometry: MatmulGeometry,
  { kernel = 'auto', subgroups = true }: MatmulKernelOptions = {},
): MatmulPlan {
  const chosen = kernel === 'auto' ? autoMatmulKernel(gpu, geometry) : kernel;
  const strides = { ...matmulStrides(geometry), cBatchStride: geometry.m * geometry.n };
  const dims: Record<(typeof MATMUL_DIMS)[number], number> = { ...geometry, ...strides };
  const uniforms = Uint32Array.from(MATMUL_DIMS, (name) => dims[name]).buffer;
  const { aType, bType, compute } = geometry;
  const types = `A ${aType}, B ${bType}, ${compute} compute`;
  if (chosen !== 'register') {
    const tile = Number(chosen.slice('tiled-'.length)) as MatmulTile;
    return {
      kernel: chosen,
      pipelineKey: `matmul (tiled ${tile}, ${types})`,
      shader: () => tiledMatmulShader({ tile, aType, bType, compute }),
      uniforms,
      workgroups: tiledWorkgroups(geometry, tile),
    };
  }
  const variant = chooseVariant(gpu, geometry, subgroups);
  return {
    kernel: chosen,
    pipelineKey: `matmul (${variant.layout}, ${types}${variant.subgroups ? ', subgroups' : ''})`,
    shader: () => matmulShader(variant),
    uniforms,
    workgroups: matmulWorkgroups(geometry),
  };
}

/** One workgroup per tile x tile block of C; z is the batch. */
function tiledWorkgroups({ batch, m, n }: MatmulGeometry, tile: MatmulTile): Workgroups {
  return [Math.ceil(n / tile), Math.ceil(m / tile), batch];
}

/** Throws, naming the call, where a plan's grid exceeds the device's workgroups per dimension. */
export function checkWorkgroupLimit(gpu: Gpu, plan: MatmulPlan, call: string): void {
  const limit = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  if (plan.workgroups.some((count = 1) => count > limit)) {
    throw new Error(
      `${call}: needs more than this device's maxComputeWorkgroupsPerDimension of ${limit} ` +
        'workgroups',
    );
  }
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

/** Register-tiled workgroups span ROWS_PER_WORKGROUP rows of C and 4 columns per invocation. */
function matmulWorkgroups({ batch, m, n }: MatmulGeometry): Workgroups {
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
