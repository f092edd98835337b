/**
 * Requests priced at this or more are expensive: scans over every run (filtered, metric-sorted
 * pages, the leaderboard) whose rows number in the hundreds. A page a dashboard shows costs less.
 */
export const EXPENSIVE_QUERY_COST = 1000;
/** Expensive requests executed at once; the rest wait their turn. */
export const EXPENSIVE_QUERY_CONCURRENCY = 1;

/**
 * Admits expensive requests one at a time, so a flood of them holds a queue of its own instead of
 * every database connection and core: cheap requests pass straight through and keep their speed.
 * Each admitted request must call the release it was given, exactly once.
 */
export class ExpensiveQueryGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly threshold = EXPENSIVE_QUERY_COST,
    private readonly concurrency = EXPENSIVE_QUERY_CONCURRENCY,
  ) {}

  /** Waits for a turn when `cost` is expensive; resolves to the release of that turn. */
  async admit(cost: number | undefined): Promise<() => void> {
    if (cost === undefined || cost < this.threshold) return () => {};
    if (this.running >= this.concurrency)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next)
        next(); // the turn passes on; running stays the same
      else this.running--;
    };
  }
}
