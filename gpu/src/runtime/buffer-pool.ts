/** Smallest pooled buffer: uniform structs and vec4 bindings round up to 16 bytes anyway. */
const MIN_BUFFER_BYTES = 16;

/**
 * Reuses GPU buffers by size class (powers of two) and usage. A released buffer may still be read
 * by commands encoded but not yet submitted, and a queue write to it would overtake them, so it
 * becomes reusable only once the command batch that may use it is submitted (`recycle`).
 */
export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private retiring: GPUBuffer[] = [];
  private created = 0;

  constructor(private readonly device: GPUDevice) {}

  /** A buffer of at least `byteLength` bytes; its contents are whatever its last user left. */
  acquire(byteLength: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = Math.max(MIN_BUFFER_BYTES, 2 ** Math.ceil(Math.log2(byteLength)));
    const reused = this.free.get(poolKey(size, usage))?.pop();
    if (reused) {
      reused.label = label;
      return reused;
    }
    this.created++;
    return this.device.createBuffer({ label, size, usage });
  }

  release(buffer: GPUBuffer): void {
    this.retiring.push(buffer);
  }

  /** Makes released buffers reusable; call once every command that may use them is submitted. */
  recycle(): void {
    for (const buffer of this.retiring) {
      const key = poolKey(buffer.size, buffer.usage);
      const buffers = this.free.get(key) ?? [];
      buffers.push(buffer);
      this.free.set(key, buffers);
    }
    this.retiring = [];
  }

  /** Destroys the buffers waiting for reuse (after a phase whose shapes will not recur). */
  trim(): void {
    for (const buffers of this.free.values()) {
      for (const buffer of buffers) buffer.destroy();
    }
    this.free.clear();
  }

  /** Buffers created so far; reuse keeps this flat across training steps. */
  get createdCount(): number {
    return this.created;
  }
}

function poolKey(size: number, usage: GPUBufferUsageFlags): string {
  return `${size}:${usage}`;
}
