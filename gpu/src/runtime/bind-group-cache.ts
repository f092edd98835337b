/** More entries than this and the cache starts afresh (a bound, not an expected size). */
const MAX_ENTRIES = 8192;

/**
 * Bind groups by pipeline and bound buffers. Creating one costs about 20 us in Dawn's Node
 * bindings, more than encoding its dispatch; a decode step or training step repeats the same
 * pipelines over the same pooled buffers, so most lookups hit.
 */
export class BindGroupCache {
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 0;
  private groups = new Map<string, GPUBindGroup>();

  constructor(private readonly device: GPUDevice) {}

  get(
    pipelineKey: string,
    layout: () => GPUBindGroupLayout,
    buffers: readonly GPUBuffer[],
    label: string,
  ): GPUBindGroup {
    const key = `${pipelineKey}|${buffers.map((buffer) => this.idOf(buffer)).join(',')}`;
    let group = this.groups.get(key);
    if (!group) {
      if (this.groups.size >= MAX_ENTRIES) this.groups = new Map();
      group = this.device.createBindGroup({
        label,
        layout: layout(),
        entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      this.groups.set(key, group);
    }
    return group;
  }

  /** Forgets every bind group: call when buffers they bind are destroyed. */
  clear(): void {
    this.groups = new Map();
  }

  private idOf(buffer: GPUBuffer): number {
    let id = this.ids.get(buffer);
    if (id === undefined) this.ids.set(buffer, (id = this.nextId++));
    return id;
  }
}
