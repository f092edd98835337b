import type { Db } from '../../db/client.ts';
import { badUserInput } from '../errors.ts';
import type { LogLine, LogPage } from './log-line.type.ts';

/** The largest page of log lines one request may ask for. */
export const MAX_LOG_PAGE = 500;
export const DEFAULT_LOG_PAGE = 100;

const LINE_FIELDS = { seq: true, level: true, message: true, loggedAt: true } as const;

export interface LogPageArgs {
  after: number | null;
  first: number | null;
  last: number | null;
}

function assertLineCount(name: 'first' | 'last', count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > MAX_LOG_PAGE) {
    throw badUserInput(name, `must be an integer from 1 to ${MAX_LOG_PAGE}`);
  }
}

/**
 * One page of a run's log: the `first` lines after seq `after` (0: from the start), or the newest
 * `last` lines, the way a terminal shows a log's tail.
 */
export async function logPage(db: Db, runId: string, args: LogPageArgs): Promise<LogPage> {
  if (args.last !== null) {
    if (args.first !== null || args.after !== null) {
      throw badUserInput(
        'last',
        'cannot be combined with `first` or `after`: ask for one or the other',
      );
    }
    assertLineCount('last', args.last);
    const newest = await db.runLog.findMany({
      where: { runId },
      orderBy: { seq: 'desc' },
      take: args.last,
      select: LINE_FIELDS,
    });
    const lines = newest.reverse();
    return { lines, lastSeq: lines.at(-1)?.seq ?? 0, hasNextPage: false };
  }
  const after = args.after ?? 0;
  if (!Number.isInteger(after) || after < 0) {
    throw badUserInput('after', 'must be a seq of the log, 0 or more (0 starts at its first line)');
  }
  const first = args.first ?? DEFAULT_LOG_PAGE;
  assertLineCount('first', first);
  const rows = await logLinesAfter(db, runId, after, first + 1);
  const lines = rows.slice(0, first);
  return { lines, lastSeq: lines.at(-1)?.seq ?? after, hasNextPage: rows.length > first };
}

/** Up to `take` lines of the run with a seq after `after`, in order. */
export function logLinesAfter(
  db: Db,
  runId: string,
  after: number,
  take: number,
): Promise<LogLine[]> {
  return db.runLog.findMany({
    where: { runId, seq: { gt: after } },
    orderBy: { seq: 'asc' },
    take,
    select: LINE_FIELDS,
  });
}
