import { BindGroupCache } from './bind-group-cache.ts';
import { BufferPool } from './buffer-pool.ts';
import { CommandBatch, MAX_DISPATCHES_PER_SUBMIT } from './command-batch.ts';
import { DispatchProfiler, type OperationTime } from './dispatch-profiler.ts';
import type { Gpu } from './device.ts';
import { PipelineCache } from './pipeline-cache.ts';

export type Workgroups = readonly [number, number?, number?];

/** One kernel launch: the pipeline's key and WGSL, its uniform, and its storage buffers. */
export interface Dispatch {
  /** Names the op and its shapes, for errors. */
  operation: string;
  pipelineKey: string;
  shader: () => string;
  /** Binding 0: the uniform block, as raw bytes. */
  uniforms: ArrayBuffer;
  /** Bindings 1 and on, in order. */
  buffers: GPUBuffer[];
  workgroups: Workgroups;
  /** Bytes of the tensors bound as inputs, for the profiler; 0 where unknown. */
  inputBytes?: number;
}

/**
 * A device's buffer pool, pipeline cache and command batch: what tensors and ops share. Work is
 * encoded into the batch and submitted only when something is read (or the batch is full).
 */
export class Engine {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly batch: CommandBatch;
  private readonly bindGroups: BindGroupCache;

  // Dawn's GPUBufferUsage global exists only once acquireGpu has loaded Dawn.
  private readonly usage = {
    storage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    uniform: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    readback: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  };

  /** Why the device was lost, once it was: work on it would silently return nothing. */
  private lostReason: string | undefined;

  constructor(readonly gpu: Gpu) {
    this.pool = new BufferPool(gpu.device);
    this.pipelines = new PipelineCache(gpu.device);
    this.batch = new CommandBatch(gpu.device, this.pool);
    this.bindGroups = new BindGroupCache(gpu.device);
    void gpu.device.lost.then((info) => {
      this.lostReason = info.message || info.reason;
    });
  }

  get device(): GPUDevice {
    return this.gpu.device;
  }

  dispatch({
    operation,
    pipelineKey,
    shader,
    uniforms,
    buffers,
    workgroups,
    inputBytes = 0,
  }: Dispatch): void {
    this.checkDevice(operation);
    this.batch.open(operation);
    const pipeline = this.pipelines.get(pipelineKey, shader);
    const uniformBuffer = this.pool.acquire(uniforms.byteLength, this.usage.uniform, pipelineKey);
    this.device.queue.writeBuffer(uniformBuffer, 0, uniforms);
    const bindGroup = this.bindGroups.get(
      pipelineKey,
      () => pipeline.getBindGroupLayout(0),
      [uniformBuffer, ...buffers],
      operation,
    );
    this.batch.dispatch(operation, pipeline, bindGroup, workgroups, {
      kernel: pipelineKey,
      inputBytes,
    });
    this.pool.release(uniformBuffer);
  }

  /** A storage buffer from the pool; `writeBuffer` it or have a kernel fill it. */
  allocate(byteLength: number, label: string): GPUBuffer {
    return this.pool.acquire(byteLength, this.usage.storage, label);
  }

  /**
   * A storage buffer of exactly `byteLength` bytes (rounded up to 4), outside the pool: for
   * long-lived tensors such as model weights, which the pool's power-of-two sizes would inflate
   * by up to 2x.
   */
  allocateExact(byteLength: number, label: string): GPUBuffer {
    return this.device.createBuffer({
      label,
      size: Math.ceil(byteLength / 4) * 4,
      usage: this.usage.storage,
    });
  }

  /**
   * Submits the pending work and returns the first `byteLength` bytes of `source`. The submit and
   * the map request happen before this returns its promise, so work encoded meanwhile (the next
   * decode step) queues behind this read instead of waiting for it.
   */
  async read(operation: string, source: GPUBuffer, byteLength: number): Promise<ArrayBuffer> {
    this.checkDevice(operation);
    // Copies must cover whole 4-byte words.
    const copyLength = Math.ceil(byteLength / 4) * 4;
    const staging = this.pool.acquire(copyLength, this.usage.readback, `${operation} readback`);
    let mapping: Promise<void> | undefined;
    try {
      this.batch.copy(operation, source, staging, copyLength);
      const checked = this.batch.flush();
      mapping = staging.mapAsync(GPUMapMode.READ, 0, copyLength);
      // After an invalid submit the map still resolves, with stale data: the check comes first.
      await checked;
      await mapping;
      this.checkDevice(operation);
      // The mapped range detaches on unmap, so copy it out first.
      return staging.getMappedRange(0, copyLength).slice(0, byteLength);
    } finally {
      // A staging buffer goes back to the pool unmapped, even when the read failed.
      await mapping?.catch(() => undefined);
      if (staging.mapState === 'mapped') staging.unmap();
      this.pool.release(staging);
    }
  }

  /** Submits the pending work and throws any validation error it met. */
  flush(): Promise<void> {
    return this.batch.flush();
  }

  /**
   * Runs `work` with every dispatch it encodes timed on the GPU (see DispatchProfiler), and
   * returns its result with the time each operation took.
   */
  async profile<T>(work: () => Promise<T>): Promise<{ result: T; operations: OperationTime[] }> {
    await this.batch.flush();
    const profiler = new DispatchProfiler(this.device, MAX_DISPATCHES_PER_SUBMIT);
    this.batch.profileWith(profiler);
    try {
      const result = await work();
      await this.batch.flush();
      return { result, operations: await profiler.report() };
    } finally {
      // Work that failed may leave a batch open: it is submitted with its timestamps resolved.
      this.batch.submit();
      this.batch.profileWith(undefined);
      await profiler.report().catch(() => undefined);
      profiler.destroy();
    }
  }

  /** Throws, naming `operation`, once the device is lost. */
  checkDevice(operation: string): void {
    if (this.lostReason !== undefined) {
      throw new Error(
        `${operation}: the GPU device was lost (${this.lostReason}); acquireGpu() opens a new ` +
          'one, to which tensors must be uploaded again',
      );
    }
  }
}

const engines = new WeakMap<GPUDevice, Engine>();

/** The engine of `gpu`'s device, created on first use. */
export function engineFor(gpu: Gpu): Engine {
  let engine = engines.get(gpu.device);
  if (!engine) {
    engine = new Engine(gpu);
    engines.set(gpu.device, engine);
  }
  return engine;
}
