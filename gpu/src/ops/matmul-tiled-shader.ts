import { MATMUL_DIMS, type MatmulInputType } from './matmul-shader.ts';

/**
 * WGSL for C[b] = op(A[b]) x op(B[b]) the way discrete GPUs want it: a workgroup of 256
 * invocations computes a TILE x TILE block of C, staging a TILE x DEPTH slice of op(A) and a
 * DEPTH x TILE slice of op(B) in workgroup memory for each step of K, so every value read from
 * device memory serves TILE products instead of the register-tiled kernel's 8 (its B values) —
 * that kernel leaves large products bound by memory traffic on a GPU.
 *
 * The 16 x 16 invocations each keep TILE/16 x TILE/16 outputs in vec4 registers: rows
 * g*64 + ty*4 + i and columns h*64 + tx*4 + j for the one or two groups g, h, so a half-warp's
 * reads of a slice row are consecutive vec4s. Each invocation stages 4 values of each operand per
 * step; which index runs fastest across invocations follows the operand's contiguous dimension
 * (read from the strides, so one pipeline serves every transpose) so device loads coalesce. Values
 * past the edges of op(A) and op(B) stage as zeros, which also pads K to a whole slice.
 *
 * Shapes, strides and batch strides come from the same uniform as the register-tiled kernel's
 * (MATMUL_DIMS). Products and sums are in the compute type: f32, or f16 with f16 inputs.
 */

export type MatmulTile = 64 | 128;

export interface TiledMatmulVariant {
  tile: MatmulTile;
  aType: MatmulInputType;
  bType: MatmulInputType;
  compute: MatmulInputType;
}

const TILED_WORKGROUP_SIZE = 256;
/** Invocations along each side of the workgroup's square grid. */
const SIDE = 16;
/** Values of each operand an invocation stages per slice. */
const STAGED_PER_INVOCATION = 4;

/** K values per slice: a tile's slices of A and B hold TILED_WORKGROUP_SIZE x 4 values each. */
function sliceDepth(tile: MatmulTile): number {
  return (TILED_WORKGROUP_SIZE * STAGED_PER_INVOCATION) / tile;
}

export function tiledMatmulShader({ tile, aType, bType, compute }: TiledMatmulVariant): string {
  const depth = sliceDepth(tile);
  const groups = tile / (SIDE * 4);
  const indices = (count: number) => Array.from({ length: count }, (_, index) => index);
  const vector = `vec4<${compute}>`;
  const accumulators = indices(groups).flatMap((g) =>
    indices(4).flatMap((i) => indices(groups).map((h) => ({ g, i, h, name: `acc${g}_${i}_${h}` }))),
  );
  const usesF16 = [aType, bType, compute].includes('f16');
  return /* wgsl */ `
${usesF16 ? 'enable f16;' : ''}

struct Dims { ${MATMUL_DIMS.map((name) => `${name}: u32`).join(', ')} }

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<${aType}>;
@group(0) @binding(2) var<storage, read> b: array<${bType}>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

const TILE = ${tile}u;
const DEPTH = ${depth}u;
const TILE4 = ${tile / 4}u;

// [kk * TILE4 + row / 4][row % 4] and [kk * TILE4 + column / 4][column % 4].
var<workgroup> aSlice: array<${vector}, ${depth * (tile / 4)}>;
var<workgroup> bSlice: array<${vector}, ${depth * (tile / 4)}>;

@compute @workgroup_size(${TILED_WORKGROUP_SIZE})
fn main(
  @builtin(local_invocation_index) local: u32,
  @builtin(workgroup_id) workgroup: vec3u,
) {
  let tx = local % ${SIDE}u;
  let ty = local / ${SIDE}u;
  let firstRow = workgroup.y * TILE;
  let firstColumn = workgroup.x * TILE;
  let aBase = workgroup.z * dims.aBatchStride;
  let bBase = workgroup.z * dims.bBatchStride;
  let cBase = workgroup.z * dims.cBatchStride;
  // Stage along rows of op(A) where they are contiguous (A stored transposed), else along K;
  // along columns of op(B) where those are, else along K.
  let aAlongRows = dims.aRowStride == 1u && dims.aColumnStride != 1u;
  let bAlongK = dims.bRowStride == 1u && dims.bColumnStride != 1u;
${accumulators.map(({ name }) => `  var ${name} = ${vector}();`).join('\n')}
  for (var k0 = 0u; k0 < dims.k; k0 += DEPTH) {
${indices(STAGED_PER_INVOCATION)
  .map(
    (step) => `    {
      let e = local + ${step * TILED_WORKGROUP_SIZE}u;
      let row = select(e / DEPTH, e % TILE, aAlongRows);
      let kk = select(e % DEPTH, e / TILE, aAlongRows);
      var value = ${compute}();
      if (firstRow + row < dims.m && k0 + kk < dims.k) {
        value = ${compute}(a[aBase + (firstRow + row) * dims.aRowStride + (k0 + kk) * dims.aColumnStride]);
      }
      aSlice[kk * TILE4 + row / 4u][row % 4u] = value;
    }
    {
      let e = local + ${step * TILED_WORKGROUP_SIZE}u;
      let column = select(e % TILE, e / DEPTH, bAlongK);
      let kk = select(e / TILE, e % DEPTH, bAlongK);
      var value = ${compute}();
      if (firstColumn + column < dims.n && k0 + kk < dims.k) {
        value = ${compute}(b[bBase + (k0 + kk) * dims.bRowStride + (firstColumn + column) * dims.bColumnStride]);
      }
      bSlice[kk * TILE4 + column / 4u][column % 4u] = value;
    }`,
  )
  .join('\n')}
    workgroupBarrier();
    for (var kk = 0u; kk < DEPTH; kk++) {
${indices(groups)
  .map((g) => `      let a${g} = aSlice[kk * TILE4 + ${g * SIDE}u + ty];`)
  .join('\n')}
${indices(groups)
  .map((h) => `      let b${h} = bSlice[kk * TILE4 + ${h * SIDE}u + tx];`)
  .join('\n')}
${accumulators
  .map(({ g, i, h, name }) => `      ${name} = fma(${vector}(a${g}[${i}]), b${h}, ${name});`)
  .join('\n')}
    }
    workgroupBarrier();
  }
${accumulators
  .map(
    ({ g, i, h, name }) =>
      `  store(cBase, firstRow + ${g * SIDE * 4}u + ty * 4u + ${i}u, ` +
      `firstColumn + ${h * SIDE * 4}u + tx * 4u, vec4f(${name}));`,
  )
  .join('\n')}
}

fn store(cBase: u32, row: u32, column: u32, values: vec4f) {
  if (row >= dims.m) { return; }
  for (var j = 0u; j < 4u; j++) {
    if (column + j < dims.n) { c[cBase + row * dims.n + column + j] = values[j]; }
  }
}
`;
}
