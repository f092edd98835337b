/**
 * Requests priced at this or more are expensive: scans over every run (filtered, metric-sorted
 * pages, the leaderboard) whose rows number in the hundreds. A page a dashboard shows costs less.
 */
export const EXPENSIVE_QUERY_COST = 1000;
/** Expensive requests executed at once; the rest wait their turn. */
export const EXPENSIVE_QUERY_CONCURRENCY = 1;
/**
 * The most of the wall-clock time expensive requests may take in turn: after a turn of t ms the
 * next starts (1 / share - 1) * t ms later. One at a time is not enough on its own: a turn holds
 * a core of Postgres and blocks the event loop for tens of milliseconds while it maps and
 * serialises hundreds of rows, and back-to-back turns slowed a cheap query 4x.
 */
export const EXPENSIVE_QUERY_SHARE = 0.5;

/**
 * Admits expensive requests one at a time and within their share of the time, so a flood of them
 * holds a queue of its own instead of every database connection and core: cheap requests pass
 * straight through and keep their speed. Each admitted request must call the release it was
 * given, exactly once.
 */
export class ExpensiveQueryGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly threshold = EXPENSIVE_QUERY_COST,
    private readonly concurrency = EXPENSIVE_QUERY_CONCURRENCY,
    private readonly share = EXPENSIVE_QUERY_SHARE,
  ) {
    if (!(share > 0 && share <= 1))
      throw new Error(`the expensive requests' share of time must be in (0, 1], got ${share}`);
  }

  /** Waits for a turn when `cost` is expensive; resolves to the release of that turn. */
  async admit(cost: number | undefined): Promise<() => void> {
    if (cost === undefined || cost < this.threshold) return () => {};
    if (this.running >= this.concurrency)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The turn's slot stays taken while the rest of the time passes.
      const rest = (performance.now() - started) * (1 / this.share - 1);
      if (rest < 1) this.passTurn();
      else setTimeout(() => this.passTurn(), rest).unref();
    };
  }

  private passTurn(): void {
    const next = this.waiting.shift();
    if (next)
      next(); // the turn passes on; running stays the same
    else this.running--;
  }
}
