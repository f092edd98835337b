import { applyOp } from './apply.ts';
import { allocateTensor } from '../tensor/create.ts';
import { formatShape, sameShape, sizeOf, type Shape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { checkDtype, checkRank, describeCall } from '../kernel/checks.ts';
import type { Engine } from '../runtime/engine.ts';
import {
  checkKernel,
  checkWorkgroupLimit,
  matmulStrides,
  type MatmulGeometry,
  type MatmulKernel,
} from './matmul-plan.ts';
import type { MatmulInputType } from './matmul-shader.ts';
import {
  planProduct,
  planWindowedMatmul,
  usesWindowedMatmul,
  windowedLaunches,
  type MatmulOperands,
} from './matmul-window.ts';
import { defineOp } from './registry.ts';
import { reduceSum } from './sum.ts';

export interface BatchMatmulOptions {
  /** Use A's last two dimensions transposed: A is stored [..., k, m]. */
  transposeA?: boolean;
  /** Use B's last two dimensions transposed: B is stored [..., n, k]. */
  transposeB?: boolean;
  /**
   * Arithmetic type of the forward product (default f32). f16 needs A and B f16: products and
   * sums in f16, C returned as f32. Gradients are computed in f32.
   */
  compute?: MatmulInputType;
  /**
   * The kernel for the forward product and the gradients' (default 'auto': the windowed kernel
   * on CPU adapters where it serves, else the plan's choice; see MatmulKernel). Forcing one is for
   * comparing kernels and for testing them on any adapter.
   */
  kernel?: MatmulKernel | 'auto';
}

interface Transposes {
  transposeA: boolean;
  transposeB: boolean;
}
type Products = Transposes & Pick<BatchMatmulOptions, 'compute' | 'kernel'>;
type Attrs = Required<BatchMatmulOptions>;

/** A batched product's dimensions: A's and B's batch shapes (one may be empty) and m, k, n. */
export interface BatchDimensions {
  batchA: Shape;
  batchB: Shape;
  m: number;
  k: number;
  n: number;
}

/** The kernel geometry of op(A) x op(B) over a batch. */
export function batchMatmulGeometry(
  { batchA, batchB, m, k, n }: BatchDimensions,
  { transposeA, transposeB, compute = 'f32' }: Transposes & { compute?: MatmulInputType },
  { aType, bType }: { aType: MatmulInputType; bType: MatmulInputType },
): MatmulGeometry {
  const batch = sizeOf(batchA.length > 0 ? batchA : batchB);
  // One shared B under an untransposed batch of A is one tall matmul: larger tiles, one batch.
  const flatten = batchB.length === 0 && !transposeA;
  return {
    batch: flatten ? 1 : batch,
    m: flatten ? batch * m : m,
    k,
    n,
    transposeA,
    transposeB,
    aBatchStride: batchA.length > 0 ? m * k : 0,
    bBatchStride: batchB.length > 0 ? k * n : 0,
    aType,
    bType,
    compute,
  };
}

/**
 * C = op(A) x op(B) over a batch in `shapeA`/`shapeB` (which may reinterpret a tensor's
 * contiguous contents, e.g. [b, m, k] as [b*m, k]); returns C [...batch, m, n], f32.
 */
function encodeBatchMatmul(
  a: Tensor,
  shapeA: Shape,
  b: Tensor,
  shapeB: Shape,
  { transposeA, transposeB, compute = 'f32', kernel = 'auto' }: Products,
  call: string,
): Tensor {
  const [aRows, aColumns] = shapeA.slice(-2) as [number, number];
  const [bRows, bColumns] = shapeB.slice(-2) as [number, number];
  const [m, k] = transposeA ? [aColumns, aRows] : [aRows, aColumns];
  const [kOfB, n] = transposeB ? [bColumns, bRows] : [bRows, bColumns];
  if (k !== kOfB) {
    throw new Error(`${call}: inner dimensions differ (K=${k} for A, K=${kOfB} for B)`);
  }
  const batchA = shapeA.slice(0, -2);
  const batchB = shapeB.slice(0, -2);
  if (batchA.length > 0 && batchB.length > 0 && !sameShape(batchA, batchB)) {
    throw new Error(
      `${call}: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} differ`,
    );
  }
  const batchShape = batchA.length > 0 ? batchA : batchB;
  const geometry = batchMatmulGeometry(
    { batchA, batchB, m, k, n },
    { transposeA, transposeB, compute },
    { aType: a.dtype as MatmulInputType, bType: b.dtype as MatmulInputType },
  );
  const plan = planProduct(a.engine.gpu, geometry, { kernel });
  if (plan) checkWorkgroupLimit(a.engine.gpu, plan, call);
  const c = allocateTensor(a.engine, call, [...batchShape, m, n], 'f32');
  const operands = { a: a.bufferFor(call), b: b.bufferFor(call), c: c.bufferFor(call) };
  if (plan) {
    a.engine.dispatch({
      operation: call,
      ...plan,
      buffers: [operands.a, operands.b, operands.c],
      inputBytes: a.byteLength + b.byteLength,
    });
  } else {
    encodeWindowed(a.engine, geometry, operands, call);
  }
  return c;
}

/**
 * The geometry of x W^T [m, n] for a weight W of n rows stored lane-blocked
 * (ops/fused/row-streams.ts), or undefined where the windowed kernel, the one that reads
 * that layout (unpacking it as it packs W), does not serve the shape: GPU adapters, few rows.
 */
export function laneBlockedGeometry(
  x: Tensor,
  weight: Tensor,
  n: number,
): MatmulGeometry | undefined {
  const [m, k] = x.shape as [number, number];
  const geometry: MatmulGeometry = {
    ...batchMatmulGeometry(
      { batchA: [], batchB: [], m, k, n },
      { transposeA: false, transposeB: true },
      { aType: x.dtype as MatmulInputType, bType: weight.dtype as MatmulInputType },
    ),
    bLaneBlocked: true,
  };
  return usesWindowedMatmul(x.engine.gpu, geometry) ? geometry : undefined;
}

/** x W^T [m, n] for a geometry from laneBlockedGeometry; no gradient. */
export function laneBlockedProduct(x: Tensor, weight: Tensor, geometry: MatmulGeometry): Tensor {
  const call = describeCall('laneBlockedProduct', [x, weight], `${geometry.n} rows`);
  const c = allocateTensor(x.engine, call, [geometry.m, geometry.n], 'f32');
  const operands = { a: x.bufferFor(call), b: weight.bufferFor(call), c: c.bufferFor(call) };
  encodeWindowed(x.engine, geometry, operands, call);
  return c;
}

/** The CPU adapters' kernel (see matmul-window-shader.ts), its packs in pooled buffers. */
function encodeWindowed(
  engine: Engine,
  geometry: MatmulGeometry,
  operands: MatmulOperands,
  call: string,
): void {
  engine.checkDevice(call);
  engine.batch.open(call);
  const plan = planWindowedMatmul(geometry, matmulStrides(geometry));
  const packedUsage = GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM;
  const workspace = {
    packedA: engine.pool.acquire(plan.packedABytes, packedUsage, `${call} packed A`),
    packedB: engine.pool.acquire(plan.packedBBytes, packedUsage, `${call} packed B`),
    uniforms: engine.pool.acquire(
      plan.uniforms.byteLength,
      GPUBufferUsage.UNIFORM | GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      `${call} windows`,
    ),
  };
  engine.device.queue.writeBuffer(workspace.uniforms, 0, plan.uniforms);
  const launches = windowedLaunches(engine.device, engine.pipelines, plan, operands, workspace);
  for (const { pipeline, bindGroup, workgroups, kernel } of launches) {
    engine.batch.dispatch(call, pipeline, bindGroup, workgroups, { kernel, inputBytes: 0 });
  }
  for (const buffer of Object.values(workspace)) engine.pool.release(buffer);
}

/** `grad` [...batch, r, c] summed over the batch when its input was shared across it. */
function sumOverBatch(grad: Tensor, input: Tensor, operation: string): Tensor {
  if (grad.size === input.size) return grad;
  const matrix = input.shape.slice(-2);
  const reduced = reduceSum(
    grad,
    { outer: 1, reduce: grad.size / sizeOf(matrix), inner: sizeOf(matrix) },
    input.shape,
    1,
    operation,
  );
  grad.dispose();
  return reduced;
}

const batchMatmulOp = defineOp<Attrs>({
  name: 'batchMatmul',
  forward([a, b], attrs) {
    const call = describeCall(
      'batchMatmul',
      [a!, b!],
      `transposeA ${attrs.transposeA}, transposeB ${attrs.transposeB}` +
        (attrs.compute === 'f16' ? ', f16 compute' : '') +
        (attrs.kernel === 'auto' ? '' : `, ${attrs.kernel} kernel`),
    );
    checkDtype(call, 'A', a!, ['f32', 'f16']);
    checkDtype(call, 'B', b!, ['f32', 'f16']);
    checkRank(call, 'A', a!, 2);
    checkRank(call, 'B', b!, 2);
    checkKernel(call, attrs.kernel);
    if (attrs.compute === 'f16') {
      checkDtype(call, 'A (f16 compute)', a!, ['f16']);
      checkDtype(call, 'B (f16 compute)', b!, ['f16']);
    }
    return { output: encodeBatchMatmul(a!, a!.shape, b!, b!.shape, attrs, call) };
  },
  backward({ inputs: [a, b], gradOutput: dC, attrs, needsGrad }) {
    const call = describeCall('batchMatmul backward', [a!, b!, dC]);
    return [
      needsGrad[0] ? gradOfA(a!, b!, dC, attrs, call) : undefined,
      needsGrad[1] ? gradOfB(a!, b!, dC, attrs, call) : undefined,
    ];
  },
});

/** encodeBatchMatmul on the tensors' own shapes. */
function product(x: Tensor, y: Tensor, products: Products, call: string): Tensor {
  return encodeBatchMatmul(x, x.shape, y, y.shape, products, call);
}

/** dA = dC op(B)^T, or its transpose op(B) dC^T where A is stored transposed. */
function gradOfA(a: Tensor, b: Tensor, dC: Tensor, attrs: Attrs, call: string): Tensor {
  const { kernel } = attrs;
  const dA = attrs.transposeA
    ? product(b, dC, { transposeA: attrs.transposeB, transposeB: true, kernel }, call)
    : product(dC, b, { transposeA: false, transposeB: !attrs.transposeB, kernel }, call);
  return sumOverBatch(dA, a, call);
}

/** dB = op(A)^T dC, or its transpose dC^T op(A) where B is stored transposed. */
function gradOfB(a: Tensor, b: Tensor, dC: Tensor, attrs: Attrs, call: string): Tensor {
  const { transposeA, transposeB, kernel } = attrs;
  // A shared B under an untransposed A: one matmul over the flattened batch, no reduction.
  if (b.shape.length === 2 && !transposeA) {
    const rows = a.size / a.shape.at(-1)!;
    const flatA = [rows, a.shape.at(-1)!];
    const flatDC = [rows, dC.shape.at(-1)!];
    const transposedFirst = { transposeA: true, transposeB: false, kernel };
    return transposeB
      ? encodeBatchMatmul(dC, flatDC, a, flatA, transposedFirst, call)
      : encodeBatchMatmul(a, flatA, dC, flatDC, transposedFirst, call);
  }
  const dB = transposeB
    ? product(dC, a, { transposeA: true, transposeB: transposeA, kernel }, call)
    : product(a, dC, { transposeA: !transposeA, transposeB: false, kernel }, call);
  return sumOverBatch(dB, b, call);
}

/**
 * op(A) x op(B) over leading batch dimensions: A [..., m, k], B [..., k, n] (either may be 2-D,
 * shared across the other's batch), transposes applied to the last two dimensions. A and B may be
 * f16 (storage); C is f32.
 */
export function batchMatmul(a: Tensor, b: Tensor, options: BatchMatmulOptions = {}): Tensor {
  const attrs = {
    transposeA: options.transposeA ?? false,
    transposeB: options.transposeB ?? false,
    compute: options.compute ?? 'f32',
    kernel: options.kernel ?? 'auto',
  };
  return applyOp(batchMatmulOp, [a, b], attrs);
}
