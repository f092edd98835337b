import type { Db } from '../../db/client.ts';
import { LOGS_APPENDED_CHANNEL, type ChangeFeed } from '../../events/change-feed.ts';
import { notFound } from '../errors.ts';
import { findRun } from '../runs/runs.service.ts';
import type { LogBatch } from './log-line.type.ts';
import { logLinesAfter } from './run-logs.service.ts';

const MAX_LINES_PER_BATCH = 500;

/**
 * Every log line of the run with a seq after `afterSeq`: what is stored already, in batches, then
 * each new batch as the worker writes it. Lines are numbered in order, so the last seq sent is
 * all a subscriber needs to resume.
 */
export async function* logBatches(
  db: Db,
  changes: ChangeFeed,
  runId: string,
  afterSeq: number,
): AsyncGenerator<LogBatch> {
  // Listen before reading, so lines written between the read and the first notification arrive.
  const notifications = changes.subscribe(LOGS_APPENDED_CHANNEL, runId);
  let lastSeq = afterSeq;
  try {
    if (!(await findRun(db, runId))) throw notFound('run', runId);
    for (;;) {
      for (;;) {
        const lines = await logLinesAfter(db, runId, lastSeq, MAX_LINES_PER_BATCH);
        if (lines.length === 0) break;
        lastSeq = lines.at(-1)!.seq;
        yield { runId, lines, lastSeq };
      }
      const { done } = await notifications.next();
      if (done) return;
    }
  } finally {
    await notifications.return();
  }
}
