import type { GradNode } from './grad-node.ts';
import type { Engine } from '../runtime/engine.ts';
import { decodeFloat16 } from '../util/float16.ts';
import { BYTES_PER_ELEMENT, isFloat, type DType } from './dtype.ts';
import { formatShape, sizeOf, type Shape } from './shape.ts';

/**
 * An n-dimensional array in a GPU buffer, row-major. Ops encode work on tensors without waiting
 * for it; only `read` waits for the GPU and copies back.
 */
export class Tensor {
  readonly size: number;
  /** Set on a leaf to have `backward` accumulate its gradient in `grad`. */
  requiresGrad = false;
  grad: Tensor | undefined;
  /** How an op made this tensor from its inputs, while the graph is kept for backward. */
  gradNode: GradNode | undefined;
  private storage: GPUBuffer | undefined;

  constructor(
    readonly engine: Engine,
    readonly shape: Shape,
    readonly dtype: DType,
    storage: GPUBuffer,
    /** The op that made it, for error messages. */
    readonly origin: string,
    /** Whether the buffer came from the engine's pool (else it is this tensor's own). */
    private readonly pooled = true,
  ) {
    this.size = sizeOf(shape);
    this.storage = storage;
  }

  get byteLength(): number {
    return this.size * BYTES_PER_ELEMENT[this.dtype];
  }

  get disposed(): boolean {
    return this.storage === undefined;
  }

  /** "[2, 3] f32": for messages. */
  describe(): string {
    return `${formatShape(this.shape)} ${this.dtype}`;
  }

  /** The buffer, for `operation` to bind; throws if the tensor was disposed. */
  bufferFor(operation: string): GPUBuffer {
    if (!this.storage) {
      throw new Error(
        `${operation}: tensor ${this.describe()} (made by ${this.origin}) was used after dispose`,
      );
    }
    return this.storage;
  }

  /** The values, widened to f32 for f16 tensors (submits the pending work). */
  async read(): Promise<Float32Array> {
    const operation = `read ${this.describe()}`;
    if (!isFloat(this.dtype)) {
      throw new Error(`${operation}: read() returns floats; use readIndices() for i32 tensors`);
    }
    const bytes = await this.engine.read(operation, this.bufferFor(operation), this.byteLength);
    return this.dtype === 'f16'
      ? decodeFloat16(new Uint16Array(bytes), this.size)
      : new Float32Array(bytes);
  }

  async readIndices(): Promise<Int32Array> {
    const operation = `readIndices ${this.describe()}`;
    if (this.dtype !== 'i32') {
      throw new Error(`${operation}: readIndices() reads i32 tensors; use read()`);
    }
    return new Int32Array(
      await this.engine.read(operation, this.bufferFor(operation), this.byteLength),
    );
  }

  /**
   * Returns the buffer to the pool; later use throws. Disposing twice is harmless. A disposed op
   * output stays on the tape: backward still reaches what it was made from, and fails, naming
   * it, only if its op's backward needs its values.
   */
  dispose(): void {
    if (this.storage && this.pooled) this.engine.pool.release(this.storage);
    // An own buffer (a model weight) is freed at once; work already submitted keeps it alive.
    else this.storage?.destroy();
    this.storage = undefined;
  }

  /** Disposes and forgets the accumulated gradient. */
  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = undefined;
  }
}
