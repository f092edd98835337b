import type { Db } from '../db/client.ts';
import { LOGS_APPENDED_CHANNEL } from '../events/change-feed.ts';

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

/** The newest lines kept per run; older ones are deleted as new ones are written. */
export const RUN_LOG_RETENTION = 10_000;
/** Lines held between two writes; a job logging faster loses the excess, and is told so. */
export const MAX_PENDING_LINES = 1000;
/** Longer messages are cut: a log line is for reading, not for dumping tensors. */
export const MAX_MESSAGE_CHARS = 4000;

export interface RunLogLine {
  seq: number;
  level: LogLevel;
  message: string;
  loggedAt: Date;
}

/** The level a job's text message is logged at: `warning: ...` is WARN, `error: ...` ERROR. */
export function levelOf(message: string): LogLevel {
  if (/^\s*warn(ing)?\b/i.test(message)) return 'WARN';
  if (/^\s*error\b/i.test(message)) return 'ERROR';
  return 'INFO';
}

/** Text Postgres can store (no NUL), at most MAX_MESSAGE_CHARS long. */
function storable(message: string): string {
  const clean = message.replaceAll('\u0000', '\uFFFD');
  return clean.length <= MAX_MESSAGE_CHARS ? clean : `${clean.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

// Like metric points, a batch locks the run row once and writes nothing for a deleted run. The
// retention delete sees the table as it was before this statement's insert, which is why
// MAX_PENDING_LINES stays below RUN_LOG_RETENTION. ON CONFLICT makes a replayed batch a no-op.
const WRITE_LINES_SQL = `
  WITH target AS (
    SELECT id FROM run WHERE id = $1::uuid FOR KEY SHARE
  ), inserted AS (
    INSERT INTO run_log (run_id, seq, level, message, logged_at)
    SELECT target.id, l.seq, l.level::"LogLevel", l.message, l.logged_at
    FROM unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[])
      AS l(seq, level, message, logged_at)
    CROSS JOIN target
    ON CONFLICT (run_id, seq) DO NOTHING
  )
  DELETE FROM run_log WHERE run_id = (SELECT id FROM target) AND seq <= $6`;

/**
 * A run's log as the worker writes it: lines are numbered as they are added (continuing after
 * the lines of earlier attempts) and written in batches by `flush`, each batch announced on
 * LOGS_APPENDED_CHANNEL. A failed batch stays pending and is written again with the next one.
 */
export class RunLog {
  private pending: RunLogLine[] = [];
  private dropped = 0;

  private constructor(
    private readonly db: Db,
    private readonly runId: string,
    private lastSeq: number,
  ) {}

  /** The log of `runId`, numbering new lines after those already stored. */
  static async open(db: Db, runId: string): Promise<RunLog> {
    const [row] = await db.$queryRaw<{ last: number | null }[]>`
      SELECT max(seq) AS last FROM run_log WHERE run_id = ${runId}::uuid`;
    return new RunLog(db, runId, row?.last ?? 0);
  }

  add(level: LogLevel, message: string, at = new Date()): void {
    if (this.pending.length >= MAX_PENDING_LINES) {
      this.dropped++;
      return;
    }
    this.pending.push({ seq: ++this.lastSeq, level, message: storable(message), loggedAt: at });
  }

  async flush(): Promise<void> {
    if (this.dropped > 0) {
      const dropped = this.dropped;
      this.dropped = 0;
      this.pending.push({
        seq: ++this.lastSeq,
        level: 'WARN',
        message:
          `${dropped} log line${dropped === 1 ? '' : 's'} dropped: the job logged more than ` +
          `${MAX_PENDING_LINES} lines between two writes`,
        loggedAt: new Date(),
      });
    }
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    try {
      await this.db.$executeRawUnsafe(
        WRITE_LINES_SQL,
        this.runId,
        lines.map((l) => l.seq),
        lines.map((l) => l.level),
        lines.map((l) => l.message),
        lines.map((l) => l.loggedAt.toISOString()),
        lines.at(-1)!.seq - RUN_LOG_RETENTION,
      );
      await this.db.$executeRaw`SELECT pg_notify(${LOGS_APPENDED_CHANNEL}, ${this.runId})`;
    } catch (error) {
      this.pending = [...lines, ...this.pending];
      throw error;
    }
  }
}
