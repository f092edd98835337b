/**
 * GPU time of each dispatch, from timestamp queries written at the start and end of a compute pass
 * of its own: what `Engine.profile` reports per operation. Passes of one dispatch each cost the
 * engine its shared pass, so a profiled run is slower than an unprofiled one; its per-kernel times
 * are what the adapter spent inside each kernel.
 */

/** The GPU time an operation (e.g. `linear 1 x 512 -> 2816`) took over a profiled run. */
export interface OperationTime {
  operation: string;
  /** The kernel's pipeline: its name and the dtypes bound. */
  kernel: string;
  dispatches: number;
  seconds: number;
  /** Bytes of the tensors bound as inputs, per dispatch: a bound on what the kernel reads. */
  inputBytes: number;
}

/** What a profiled dispatch is recorded under. */
export interface ProfiledDispatch {
  operation: string;
  kernel: string;
  inputBytes: number;
}

export class DispatchProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  /** The dispatches whose queries the open batch writes, in query order (two each). */
  private batch: ProfiledDispatch[] = [];
  private readonly totals = new Map<string, OperationTime>();
  private readonly readbacks: Promise<void>[] = [];

  constructor(
    private readonly device: GPUDevice,
    /** Dispatches one batch holds at most (the command batch submits before more). */
    private readonly capacity: number,
  ) {
    if (!device.features.has('timestamp-query'))
      throw new Error(
        'profiling needs the timestamp-query feature, which this adapter does not offer; ' +
          'run without profiling',
      );
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity });
    this.resolveBuffer = device.createBuffer({
      label: 'profiler timestamps',
      size: 16 * capacity,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /** The pass descriptor that times `dispatch`, the next of the open batch. */
  passFor(dispatch: ProfiledDispatch): GPUComputePassDescriptor {
    if (this.batch.length >= this.capacity)
      throw new Error(`profiler: more than ${this.capacity} dispatches in one batch`);
    const first = 2 * this.batch.length;
    this.batch.push(dispatch);
    return {
      timestampWrites: {
        querySet: this.querySet,
        beginningOfPassWriteIndex: first,
        endOfPassWriteIndex: first + 1,
      },
    };
  }

  /**
   * Encodes the open batch's timestamps into a buffer of their own (call before finishing the
   * encoder), and after `submitted` reads them into the totals.
   */
  resolve(encoder: GPUCommandEncoder): () => void {
    const dispatches = this.batch;
    this.batch = [];
    if (dispatches.length === 0) return () => undefined;
    const bytes = 16 * dispatches.length;
    const staging = this.device.createBuffer({
      label: 'profiler readback',
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.resolveQuerySet(this.querySet, 0, 2 * dispatches.length, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, staging, 0, bytes);
    return () => {
      this.readbacks.push(
        staging.mapAsync(GPUMapMode.READ).then(() => {
          const stamps = new BigUint64Array(staging.getMappedRange());
          dispatches.forEach((dispatch, index) =>
            this.add(dispatch, Number(stamps[2 * index + 1]! - stamps[2 * index]!) / 1e9),
          );
          staging.destroy();
        }),
      );
    };
  }

  /** Each operation's totals, longest first, once every submitted batch has been read. */
  async report(): Promise<OperationTime[]> {
    await Promise.all(this.readbacks.splice(0));
    return [...this.totals.values()].sort((a, b) => b.seconds - a.seconds);
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
  }

  private add({ operation, kernel, inputBytes }: ProfiledDispatch, seconds: number): void {
    const key = `${kernel}\u0000${operation}`;
    const total = this.totals.get(key) ?? {
      operation,
      kernel,
      dispatches: 0,
      seconds: 0,
      inputBytes,
    };
    total.dispatches++;
    // A pass the adapter did not time (a zero or reversed pair) adds nothing.
    total.seconds += Math.max(0, seconds);
    this.totals.set(key, total);
  }
}
