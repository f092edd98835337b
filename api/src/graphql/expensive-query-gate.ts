import { unavailable } from './errors.ts';

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

interface Waiter {
  take(): void;
  refuse(error: Error): void;
}

/**
 * Admits expensive requests one at a time and within their share of the time, so a flood of them
 * holds a queue of its own instead of every database connection and core: cheap requests pass
 * straight through and keep their speed. Each admitted request must call the release it was
 * given, exactly once. A request whose `signal` aborts while it waits leaves the queue (its client
 * has gone: running it would only delay the others), and `close` refuses every waiting request.
 */
export class ExpensiveQueryGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private closed: Error | null = null;

  constructor(
    private readonly threshold = EXPENSIVE_QUERY_COST,
    private readonly concurrency = EXPENSIVE_QUERY_CONCURRENCY,
    private readonly share = EXPENSIVE_QUERY_SHARE,
  ) {
    if (!(share > 0 && share <= 1))
      throw new Error(`the expensive requests' share of time must be in (0, 1], got ${share}`);
  }

  /** Waits for a turn when `cost` is expensive; resolves to the release of that turn. */
  async admit(cost: number | undefined, signal?: AbortSignal): Promise<() => void> {
    if (cost === undefined || cost < this.threshold) return () => {};
    if (this.closed) throw this.closed;
    if (this.running >= this.concurrency) await this.waitForTurn(signal);
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

  /** Refuses every waiting request and any later expensive one with `UNAVAILABLE`: the API stops. */
  close(): void {
    this.closed = unavailable('the API is stopping: send the request again once it is back');
    for (const waiter of this.waiting.splice(0)) waiter.refuse(this.closed);
  }

  private waitForTurn(signal: AbortSignal | undefined): Promise<void> {
    const abandoned = () =>
      unavailable('the request was abandoned by its client before its turn came');
    if (signal?.aborted) return Promise.reject(abandoned());
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        const at = this.waiting.indexOf(waiter);
        if (at !== -1) this.waiting.splice(at, 1);
        reject(abandoned());
      };
      const waiter: Waiter = {
        take: () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        },
        refuse: (error) => {
          signal?.removeEventListener('abort', leave);
          reject(error);
        },
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.waiting.push(waiter);
    });
  }

  private passTurn(): void {
    const next = this.waiting.shift();
    if (next)
      next.take(); // the turn passes on; running stays the same
    else this.running--;
  }
}
