import type { BufferPool } from './buffer-pool.ts';
import type { DispatchProfiler, ProfiledDispatch } from './dispatch-profiler.ts';

/** Submitting before a batch grows past this bounds the buffers it holds from the pool. */
export const MAX_DISPATCHES_PER_SUBMIT = 512;

/**
 * Collects dispatches and copies from many ops into one command encoder (dispatches share one
 * compute pass) and submits them together, so a training step costs a few submits rather than one
 * per op. Each batch runs inside a validation error scope; its errors surface, naming the batch's
 * ops, from the next `flush`.
 */
export class CommandBatch {
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  private operations: string[] = [];
  private dispatches = 0;
  /** Each submitted batch's validation error message, or undefined; never rejected. */
  private pendingChecks: Promise<string | undefined>[] = [];
  private submitCount = 0;
  private dispatchCount = 0;
  /** While set, each dispatch runs in a pass of its own that it times. */
  private profiler: DispatchProfiler | undefined;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
  ) {}

  /**
   * Opens a batch if none is open; call before creating anything a command will use, so that
   * validation errors land in this batch's scope.
   */
  open(operation: string): void {
    if (!this.encoder) {
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder({ label: 'factorlab batch' });
    }
    if (this.operations.at(-1) !== operation) this.operations.push(operation);
  }

  dispatch(
    operation: string,
    pipeline: GPUComputePipeline,
    bindGroup: GPUBindGroup,
    workgroups: readonly [number, number?, number?],
    profiled: Omit<ProfiledDispatch, 'operation'>,
  ): void {
    this.open(operation);
    if (this.profiler) {
      this.pass?.end();
      this.pass = this.encoder!.beginComputePass(this.profiler.passFor({ operation, ...profiled }));
    }
    this.pass ??= this.encoder!.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(...workgroups);
    this.dispatchCount++;
    if (++this.dispatches >= MAX_DISPATCHES_PER_SUBMIT) this.submit();
  }

  copy(operation: string, source: GPUBuffer, target: GPUBuffer, byteLength: number): void {
    this.outsidePass(operation).copyBufferToBuffer(source, 0, target, 0, byteLength);
  }

  clear(operation: string, buffer: GPUBuffer): void {
    this.outsidePass(operation).clearBuffer(buffer);
  }

  /** Submits what is encoded; buffers released meanwhile become reusable. */
  submit(): void {
    if (!this.encoder) {
      // Nothing unsubmitted can use a released buffer.
      this.pool.recycle();
      return;
    }
    this.pass?.end();
    const readTimes = this.profiler?.resolve(this.encoder);
    this.device.queue.submit([this.encoder.finish()]);
    readTimes?.();
    const operations = this.operations.join(', ');
    this.pendingChecks.push(
      this.device
        .popErrorScope()
        .then((error) =>
          error ? `${operations}: WebGPU validation failed: ${error.message}` : undefined,
        ),
    );
    this.encoder = undefined;
    this.pass = undefined;
    this.operations = [];
    this.dispatches = 0;
    this.submitCount++;
    this.pool.recycle();
  }

  /** Submits what is encoded and throws the first validation error of any batch since the last. */
  async flush(): Promise<void> {
    this.submit();
    const checks = this.pendingChecks;
    this.pendingChecks = [];
    const failure = (await Promise.all(checks)).find((message) => message !== undefined);
    if (failure) throw new Error(failure);
  }

  /**
   * Times every dispatch from now on with `profiler`, or (undefined) stops; call with nothing
   * encoded (after a flush), so that each batch is timed whole or not at all.
   */
  profileWith(profiler: DispatchProfiler | undefined): void {
    if (this.encoder) throw new Error('profileWith: submit the open batch first');
    this.profiler = profiler;
  }

  /** Dispatches encoded so far. */
  get dispatched(): number {
    return this.dispatchCount;
  }

  /** Command buffers submitted so far. */
  get submits(): number {
    return this.submitCount;
  }

  private outsidePass(operation: string): GPUCommandEncoder {
    this.open(operation);
    this.pass?.end();
    this.pass = undefined;
    return this.encoder!;
  }
}
