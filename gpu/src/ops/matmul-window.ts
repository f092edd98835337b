import { hasSubgroupsOf, type Gpu } from '../runtime/device.ts';
import type { PipelineCache } from '../runtime/pipeline-cache.ts';
import {
  matmulStrides,
  planMatmul,
  type MatmulGeometry,
  type MatmulKernelOptions,
  type MatmulPlan,
  type MatmulStrides,
} from './matmul-plan.ts';
import {
  CHUNK_K,
  PACK_FIELDS,
  packShader,
  ROWS_PER_GATHER,
  ROWS_PER_WORKGROUP,
  TILE_BYTES,
  TILE_COLUMNS,
  TILE_ROWS,
  WINDOW_FIELDS,
  WINDOW_WORKGROUP_SIZE,
  WINDOWS,
  windowMatmulShader,
} from './matmul-window-shader.ts';

/**
 * Fewest rows of C for which the windowed kernel beats the register-tiled one, whose packing of B
 * it must repay. Measured at K = N = 2048 on 2 cores: the register-tiled kernel's vec4 layout
 * (untransposed, K and N multiples of 4) ran 16 GFLOP/s at 16-32 rows, the windowed 6-9, even at
 * 64; with a transposed operand it runs its scalar layout at 4.5, the windowed 5 at 32 rows and 9
 * at 64.
 */
const MIN_ROWS_AGAINST_VEC4 = 64;
const MIN_ROWS_AGAINST_SCALAR = 32;
/**
 * Each launch's parameters sit in a slot of one buffer, bound at offsets that must be multiples
 * of 256 bytes; packs read theirs as a uniform, windows as storage (see the shader).
 */
const SLOT_BYTES = 256;
const PACK_WORKGROUP_SIZE = 64;

type Workgroups = [number, number, number];

/** One kernel launch of a windowed matmul, but the buffers. */
interface WindowedStep {
  kind: 'pack A' | 'pack B' | 'window';
  /** Index of this launch's uniform slot. */
  slot: number;
  /** Tile numbers of packed A and B bound as the windows (window launches). */
  tilesA: number[];
  tilesB: number[];
  workgroups: Workgroups;
}

/** A matmul as packs of A and B and dispatches over their tiles: everything but the buffers. */
export interface WindowedMatmulPlan {
  geometry: MatmulGeometry;
  /** What each pack reads: op(A) and op(B), or op(B)^T and op(A)^T where it computes C^T. */
  packs: { a: PackSource; b: PackSource };
  packedABytes: number;
  packedBBytes: number;
  /** The uniform slots' contents, SLOT_BYTES apart. */
  uniforms: ArrayBuffer;
  steps: WindowedStep[];
}

/** The buffers a windowed matmul packs into and reads its launches' uniforms from. */
export interface WindowedWorkspace {
  packedA: GPUBuffer;
  packedB: GPUBuffer;
  uniforms: GPUBuffer;
}

export interface MatmulOperands {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
}

/** One kernel launch, ready to encode. */
export interface Launch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: Workgroups;
  /** The step's kind (`matmul pack A`, ...), as the profiler names its kernel. */
  kernel: string;
}

/** One operand of the product the windowed kernel computes: where it is read from, and how. */
export interface PackSource {
  buffer: 'a' | 'b';
  type: MatmulGeometry['aType'];
  rowStride: number;
  columnStride: number;
  batchStride: number;
}

/**
 * The product the windowed kernel computes: C = op(A) op(B), or, where C is narrower than a
 * column tile and op(A) has rows enough to fill one (attention's products with V at a head size
 * of 64 padded three quarters of every tile), C^T = op(B)^T op(A)^T, stored transposed. Never
 * for a lane-blocked B, which only pack B reads.
 */
interface WindowedProblem {
  transposedC: boolean;
  m: number;
  n: number;
  k: number;
  a: PackSource;
  b: PackSource;
}

/** Columns computed per column of the product: tiles are TILE_COLUMNS wide. */
const padding = (columns: number) => (Math.ceil(columns / TILE_COLUMNS) * TILE_COLUMNS) / columns;

function windowedProblem(geometry: MatmulGeometry, strides: MatmulStrides): WindowedProblem {
  const { m, k, n, aBatchStride, bBatchStride, aType, bType } = geometry;
  const a: PackSource = {
    buffer: 'a',
    type: aType,
    rowStride: strides.aRowStride,
    columnStride: strides.aColumnStride,
    batchStride: aBatchStride,
  };
  const b: PackSource = {
    buffer: 'b',
    type: bType,
    rowStride: strides.bRowStride,
    columnStride: strides.bColumnStride,
    batchStride: bBatchStride,
  };
  const transposedC = !geometry.bLaneBlocked && m % 4 === 0 && padding(m) < padding(n);
  if (!transposedC) return { transposedC, m, n, k, a, b };
  // op(B)^T [n, k] and op(A)^T [k, m]: each operand's strides swap.
  const transpose = (source: PackSource): PackSource => ({
    ...source,
    rowStride: source.columnStride,
    columnStride: source.rowStride,
  });
  return { transposedC, m: n, n: m, k, a: transpose(b), b: transpose(a) };
}

/**
 * Whether the windowed kernel serves this geometry here: CPU adapters with subgroups of 8 or
 * more, f32 compute, C rows in whole vec4s, enough rows (see MIN_ROWS_AGAINST_VEC4), packs within
 * the device's binding and dispatch limits.
 */
export function usesWindowedMatmul(gpu: Gpu, geometry: MatmulGeometry): boolean {
  if (!gpu.info.isCpu || !hasSubgroupsOf(gpu, ROWS_PER_GATHER)) return false;
  const { m, k, n, transposeA, transposeB } = geometry;
  if (geometry.compute !== 'f32' || n % 4 !== 0) return false;
  const directIsVec4 = !transposeA && !transposeB && k % 4 === 0;
  if (m < (directIsVec4 ? MIN_ROWS_AGAINST_VEC4 : MIN_ROWS_AGAINST_SCALAR)) return false;
  const sizes = packSizes(geometry.batch, windowedProblem(geometry, matmulStrides(geometry)));
  const { limits } = gpu.device;
  const largest = Math.max(sizes.packedABytes, sizes.packedBBytes);
  return (
    largest <= limits.maxStorageBufferBindingSize &&
    largest <= limits.maxBufferSize &&
    Math.max(sizes.rowTiles * TILE_ROWS, sizes.chunks * CHUNK_K, geometry.batch) <=
      limits.maxComputeWorkgroupsPerDimension
  );
}

/**
 * The plan of a product's one dispatch (planMatmul), or undefined where it takes the windowed
 * kernel: no kernel asked for, subgroups allowed, and the kernel serves the geometry here.
 */
export function planProduct(
  gpu: Gpu,
  geometry: MatmulGeometry,
  options: MatmulKernelOptions,
): MatmulPlan | undefined {
  const { kernel = 'auto', subgroups = true } = options;
  const windowed = kernel === 'auto' && subgroups && usesWindowedMatmul(gpu, geometry);
  return windowed ? undefined : planMatmul(gpu, geometry, options);
}

function packSizes(batch: number, { m, k, n, a, b }: WindowedProblem) {
  const chunks = Math.ceil(k / CHUNK_K);
  const rowTiles = Math.ceil(m / TILE_ROWS);
  const columnTiles = Math.ceil(n / TILE_COLUMNS);
  const aBatches = a.batchStride > 0 ? batch : 1;
  const bBatches = b.batchStride > 0 ? batch : 1;
  return {
    chunks,
    rowTiles,
    columnTiles,
    aBatches,
    bBatches,
    packedABytes: aBatches * rowTiles * chunks * TILE_BYTES,
    packedBBytes: bBatches * chunks * columnTiles * TILE_BYTES,
  };
}

export function planWindowedMatmul(
  geometry: MatmulGeometry,
  strides: MatmulStrides,
): WindowedMatmulPlan {
  const problem = windowedProblem(geometry, strides);
  const { m, k, n, a, b } = problem;
  const { batch } = geometry;
  const sizes = packSizes(batch, problem);
  const { chunks, rowTiles, columnTiles, aBatches, bBatches } = sizes;
  const slots: { fields: readonly string[]; values: Record<string, number> }[] = [];
  const steps: WindowedStep[] = [];
  const addStep = (
    kind: WindowedStep['kind'],
    values: Record<string, number>,
    workgroups: Workgroups,
    tilesA: number[] = [],
    tilesB: number[] = [],
  ) => {
    const fields = kind === 'window' ? WINDOW_FIELDS : PACK_FIELDS;
    steps.push({ kind, slot: slots.push({ fields, values }) - 1, tilesA, tilesB, workgroups });
  };

  // Rows of A past M within whole workgroup blocks are zeros; rows past those are never read.
  const packA = {
    rows: m,
    columns: k,
    rowStride: a.rowStride,
    columnStride: a.columnStride,
    batchStride: a.batchStride,
    rowsPacked: Math.ceil(m / ROWS_PER_WORKGROUP) * ROWS_PER_WORKGROUP,
    columnVectorsPacked: (chunks * CHUNK_K) / 4,
    rowTiles,
    columnTiles: chunks,
  };
  // Columns of B past N are never stored, so tiles are packed only up to N.
  const packB = {
    rows: k,
    columns: n,
    rowStride: b.rowStride,
    columnStride: b.columnStride,
    batchStride: b.batchStride,
    rowsPacked: chunks * CHUNK_K,
    columnVectorsPacked: n / 4,
    rowTiles: chunks,
    columnTiles,
  };
  const packGrid = (pack: typeof packA, batches: number): Workgroups => [
    Math.ceil(pack.columnVectorsPacked / PACK_WORKGROUP_SIZE),
    pack.rowsPacked,
    batches,
  ];
  addStep('pack A', packA, packGrid(packA, aBatches));
  addStep('pack B', packB, packGrid(packB, bBatches));

  for (let index = 0; index < batch; index++) {
    const aBatch = a.batchStride > 0 ? index : 0;
    const bBatch = b.batchStride > 0 ? index : 0;
    for (let rowTile = 0; rowTile < rowTiles; rowTile++) {
      const rows = Math.min(TILE_ROWS, m - rowTile * TILE_ROWS);
      for (let columnTile = 0; columnTile < columnTiles; columnTile++) {
        for (let first = 0; first < chunks; first += WINDOWS) {
          const windows = Math.min(WINDOWS, chunks - first);
          // Unused windows repeat the last chunk's tiles; the kernel skips them.
          const chunkOf = (window: number) => first + Math.min(window, windows - 1);
          const tilesA = Array.from(
            { length: WINDOWS },
            (_, window) => (aBatch * rowTiles + rowTile) * chunks + chunkOf(window),
          );
          const tilesB = Array.from(
            { length: WINDOWS },
            (_, window) => (bBatch * chunks + chunkOf(window)) * columnTiles + columnTile,
          );
          const params = {
            m,
            rowBase: rowTile * TILE_ROWS,
            windows,
            columnVectorBase: (columnTile * TILE_COLUMNS) / 4,
            nVectors: n / 4,
            cBase: (index * m * n) / 4,
            accumulate: first > 0 ? 1 : 0,
            blockRows: ROWS_PER_WORKGROUP,
            transposedC: +problem.transposedC,
          };
          const workgroups: Workgroups = [1, Math.ceil(rows / ROWS_PER_WORKGROUP), 1];
          addStep('window', params, workgroups, tilesA, tilesB);
        }
      }
    }
  }

  const uniforms = new ArrayBuffer(slots.length * SLOT_BYTES);
  slots.forEach(({ fields, values }, index) => {
    new Uint32Array(uniforms, index * SLOT_BYTES, fields.length).set(
      fields.map((name) => values[name]!),
    );
  });
  return {
    geometry,
    packs: { a, b },
    packedABytes: sizes.packedABytes,
    packedBBytes: sizes.packedBBytes,
    uniforms,
    steps,
  };
}

const WINDOW_KEY =
  `matmul window (${ROWS_PER_WORKGROUP}x${TILE_COLUMNS}, ${WINDOWS} K chunks of ${CHUNK_K}, ` +
  `workgroup ${WINDOW_WORKGROUP_SIZE})`;

/**
 * The launches of `plan` over these buffers, in order; `workspace.uniforms` must hold
 * `plan.uniforms` by the time they run. Call inside a validation error scope.
 */
export function windowedLaunches(
  device: GPUDevice,
  pipelines: PipelineCache,
  plan: WindowedMatmulPlan,
  { a, b, c }: MatmulOperands,
  workspace: WindowedWorkspace,
): Launch[] {
  const aType = plan.packs.a.type;
  const bType = plan.packs.b.type;
  const sourceBuffer = { a, b };
  const pipelineOf = {
    'pack A': pipelines.get(`matmul pack A (${aType})`, () =>
      packShader(aType, TILE_ROWS, CHUNK_K),
    ),
    'pack B': plan.geometry.bLaneBlocked
      ? pipelines.get(`matmul pack B lane-blocked (${bType})`, () =>
          packShader(bType, CHUNK_K, TILE_COLUMNS, true),
        )
      : pipelines.get(`matmul pack B (${bType})`, () => packShader(bType, CHUNK_K, TILE_COLUMNS)),
    window: pipelines.get(WINDOW_KEY, windowMatmulShader),
  };
  return plan.steps.map((step) => {
    const pipeline = pipelineOf[step.kind];
    const slot = { buffer: workspace.uniforms, offset: step.slot * SLOT_BYTES, size: SLOT_BYTES };
    const tile = (buffer: GPUBuffer) => (index: number) => ({
      buffer,
      offset: index * TILE_BYTES,
      size: TILE_BYTES,
    });
    const resources: GPUBindingResource[] =
      step.kind === 'window'
        ? [
            slot,
            { buffer: c },
            ...step.tilesA.map(tile(workspace.packedA)),
            ...step.tilesB.map(tile(workspace.packedB)),
          ]
        : step.kind === 'pack A'
          ? [
              slot,
              { buffer: sourceBuffer[plan.packs.a.buffer] },
              { buffer: workspace.packedA, size: plan.packedABytes },
            ]
          : [
              slot,
              { buffer: sourceBuffer[plan.packs.b.buffer] },
              { buffer: workspace.packedB, size: plan.packedBBytes },
            ];
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: resources.map((resource, binding) => ({ binding, resource })),
    });
    return { pipeline, bindGroup, workgroups: step.workgroups, kernel: `matmul ${step.kind}` };
  });
}
