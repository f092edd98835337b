/** The smallest progress step, in percent, worth a line of its own within one stage. */
export const PROGRESS_LINE_PERCENT = 10;
/** The least time between two lines that only say the percentage moved. */
export const PROGRESS_LINE_INTERVAL_MS = 5000;

/**
 * Turns a job's progress ticks into the few log lines worth keeping: one when the stage changes,
 * and within a stage one per PROGRESS_LINE_PERCENT gained, at most one per
 * PROGRESS_LINE_INTERVAL_MS. A progress bar ticking every step writes a handful of lines, not one
 * per step.
 */
export class ProgressLines {
  private stage: string | undefined;
  private loggedPercent = -Infinity;
  private loggedAt = -Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  /** The line to log for this tick, or null when it says nothing new enough. */
  next(fraction: number, stage: string | undefined): string | null {
    const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
    const now = this.now();
    if (stage !== undefined && stage !== this.stage) {
      this.stage = stage;
      return this.logged(percent, now, `${stage} (${percent}%)`);
    }
    if (
      percent - this.loggedPercent >= PROGRESS_LINE_PERCENT &&
      now - this.loggedAt >= PROGRESS_LINE_INTERVAL_MS
    ) {
      return this.logged(percent, now, `${this.stage ?? 'progress'}: ${percent}%`);
    }
    return null;
  }

  private logged(percent: number, now: number, line: string): string {
    this.loggedPercent = percent;
    this.loggedAt = now;
    return line;
  }
}
