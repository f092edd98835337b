/**
 * Values computed for a data generation: an entry serves only requests that read the same
 * generation, and the whole cache empties when a newer generation is read. Concurrent requests
 * for one key share one computation. At most `maxEntries` keys are kept, the least recently used
 * going first.
 */
export class GenerationCache<T> {
  private generation: bigint | null = null;
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new Error(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  /**
   * The value of `key` at `generation`, computed by `compute` unless cached. `compute` must read
   * data at least as new as `generation` (read the generation first, then compute).
   */
  get(generation: bigint, key: string, compute: () => Promise<T>): Promise<T> {
    return this.peek(generation, key) ?? this.store(generation, key, compute());
  }

  /** The value cached for `key` at `generation`, if there is one; computes nothing. */
  peek(generation: bigint, key: string): Promise<T> | undefined {
    if (!this.holds(generation)) return undefined;
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key); // re-inserted as the most recently used
      this.entries.set(key, cached);
    }
    return cached;
  }

  /**
   * Caches `value` for `key` at `generation` (a value read from data at least as new as
   * `generation`), unless a newer generation is cached; returns `value`. A rejected value is
   * forgotten.
   */
  store(generation: bigint, key: string, value: Promise<T>): Promise<T> {
    // A request that read an older generation than the cache holds: answer it, but keep nothing.
    if (!this.holds(generation)) return value;
    this.entries.delete(key);
    this.entries.set(key, value);
    value.catch(() => {
      if (this.entries.get(key) === value) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }

  /** Moves the cache on to `generation` when it is newer; false when it is older. */
  private holds(generation: bigint): boolean {
    if (this.generation !== null && generation < this.generation) return false;
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    return true;
  }

  /** How many keys are cached now. */
  get size(): number {
    return this.entries.size;
  }
}
