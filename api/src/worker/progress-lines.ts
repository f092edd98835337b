/** The smallest progress step, in percent, worth a line of its own. */
export const PROGRESS_LINE_PERCENT = 10;
/** The least time between two lines that only say the percentage moved. */
export const PROGRESS_LINE_INTERVAL_MS = 5000;
/** Past this many distinct stages, a new one is logged only as a tick would be. */
const MAX_STAGES = 1000;

/** A stage without its numbers: `step 12/100` and `step 13/100` are one stage. */
function stageKey(stage: string): string {
  return stage.replace(/\d+/g, '#');
}

/**
 * Turns a job's progress ticks into the few log lines worth keeping: one the first time a stage
 * is entered (stages differing only in their numbers, like `step 12/100`, count as one), and
 * otherwise, between ticks of one stage, one per PROGRESS_LINE_PERCENT gained, at most one per
 * PROGRESS_LINE_INTERVAL_MS. A training loop reporting every step, and going back and forth to
 * validation, writes about ten lines, not one per step.
 */
export class ProgressLines {
  private readonly seen = new Set<string>();
  private stage: string | undefined;
  private key: string | undefined;
  private loggedPercent = -Infinity;
  private loggedAt = -Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  /** The line to log for this tick, or null when it says nothing new enough. */
  next(fraction: number, stage: string | undefined): string | null {
    const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
    const now = this.now();
    let switched = false;
    if (stage !== undefined) {
      const key = stageKey(stage);
      switched = key !== this.key;
      this.stage = stage;
      this.key = key;
      if (!this.seen.has(key) && this.seen.size < MAX_STAGES) {
        this.seen.add(key);
        return this.logged(percent, now);
      }
    }
    // Going back to a stage seen before is no news; its next tick will say how far it got.
    if (
      !switched &&
      percent - this.loggedPercent >= PROGRESS_LINE_PERCENT &&
      now - this.loggedAt >= PROGRESS_LINE_INTERVAL_MS
    ) {
      return this.logged(percent, now);
    }
    return null;
  }

  private logged(percent: number, now: number): string {
    this.loggedPercent = percent;
    this.loggedAt = now;
    return `${this.stage ?? 'progress'} (${percent}%)`;
  }
}
