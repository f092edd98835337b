import type { Gpu } from '../runtime/device.ts';
import { engineFor, type Engine } from '../runtime/engine.ts';
import { encodeFloat16 } from '../util/float16.ts';
import { BYTES_PER_ELEMENT, type DType } from './dtype.ts';
import { formatShape, isValidShape, sizeOf, type Shape } from './shape.ts';
import { Tensor } from './tensor.ts';

export interface TensorOptions {
  /** Default f32 for float data, i32 for an Int32Array. */
  dtype?: DType;
  requiresGrad?: boolean;
}

/**
 * A tensor of uninitialised contents for `operation`'s output, checked against the device's
 * limits.
 */
export function allocateTensor(
  engine: Engine,
  operation: string,
  shape: Shape,
  dtype: DType,
  { pooled = true }: { pooled?: boolean } = {},
): Tensor {
  checkAllocation(engine, operation, shape, dtype);
  const byteLength = sizeOf(shape) * BYTES_PER_ELEMENT[dtype];
  const label = `${operation} ${formatShape(shape)}`;
  const buffer = pooled
    ? engine.allocate(byteLength, label)
    : engine.allocateExact(byteLength, label);
  return new Tensor(engine, shape, dtype, buffer, operation, pooled);
}

/** Uploads `values` (row-major) as a tensor of `shape`; f16 tensors are rounded to nearest. */
export function tensor(
  gpu: Gpu,
  values: Float32Array | Int32Array | readonly number[],
  shape: Shape,
  {
    dtype = values instanceof Int32Array ? 'i32' : 'f32',
    requiresGrad = false,
  }: TensorOptions = {},
): Tensor {
  const operation = `tensor ${formatShape(shape)} ${dtype}`;
  const engine = engineFor(gpu);
  checkDtype(engine, operation, dtype, requiresGrad);
  if (values.length !== sizeOf(shape)) {
    throw new Error(`${operation}: got ${values.length} values for ${sizeOf(shape)} elements`);
  }
  const result = allocateTensor(engine, operation, shape, dtype);
  const data =
    dtype === 'f16'
      ? encodeFloat16(values)
      : dtype === 'i32'
        ? Int32Array.from(values)
        : Float32Array.from(values);
  engine.device.queue.writeBuffer(result.bufferFor(operation), 0, data);
  result.requiresGrad = requiresGrad;
  return result;
}

/** A tensor of zeros, filled on the GPU. */
export function zeros(gpu: Gpu, shape: Shape, options: TensorOptions = {}): Tensor {
  const { dtype = 'f32', requiresGrad = false } = options;
  const operation = `zeros ${formatShape(shape)} ${dtype}`;
  const engine = engineFor(gpu);
  checkDtype(engine, operation, dtype, requiresGrad);
  const result = allocateTensor(engine, operation, shape, dtype);
  engine.batch.clear(operation, result.bufferFor(operation));
  result.requiresGrad = requiresGrad;
  return result;
}

function checkDtype(engine: Engine, operation: string, dtype: DType, requiresGrad: boolean): void {
  if (dtype === 'f16' && !engine.device.features.has('shader-f16')) {
    throw new Error(
      `${operation}: dtype f16 needs the WebGPU feature shader-f16, which this device lacks`,
    );
  }
  if (requiresGrad && dtype !== 'f32') {
    throw new Error(`${operation}: only f32 tensors can require gradients (f16 is storage only)`);
  }
}

function checkAllocation(engine: Engine, operation: string, shape: Shape, dtype: DType): void {
  engine.checkDevice(operation);
  if (!isValidShape(shape)) {
    throw new Error(
      `${operation}: dimensions must be positive integers, got ${formatShape(shape)}`,
    );
  }
  const bytes = sizeOf(shape) * BYTES_PER_ELEMENT[dtype];
  const limit = engine.device.limits.maxStorageBufferBindingSize;
  if (bytes > limit) {
    throw new Error(
      `${operation}: a ${formatShape(shape)} ${dtype} tensor needs ${bytes} bytes, over this ` +
        `device's maxStorageBufferBindingSize of ${limit} bytes`,
    );
  }
}

/** A copy of `source` in a new buffer, made on the GPU. */
export function cloneTensor(source: Tensor, operation: string): Tensor {
  const copy = allocateTensor(source.engine, operation, source.shape, source.dtype);
  source.engine.batch.copy(
    operation,
    source.bufferFor(operation),
    copy.bufferFor(operation),
    Math.ceil(source.byteLength / 4) * 4,
  );
  return copy;
}
