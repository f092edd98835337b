import type { Db } from '../../db/client.ts';
import {
  METRICS_APPENDED_CHANNEL,
  RUN_UPDATED_CHANNEL,
  type ChangeFeed,
} from '../../events/change-feed.ts';
import { notFound } from '../errors.ts';
import type { Run } from '../runs/run.type.ts';
import { findRun } from '../runs/runs.service.ts';
import type { MetricBatch, MetricPoint } from './metric-batch.type.ts';
import type { RunsChange } from './runs-change.type.ts';

const MAX_POINTS_PER_BATCH = 5000;

/** The run as it is now, then again after every change to it. */
export async function* runUpdates(db: Db, changes: ChangeFeed, runId: string): AsyncGenerator<Run> {
  // Listen before reading, so a change between the read and the first notification is not lost.
  const notifications = changes.subscribe(RUN_UPDATED_CHANNEL, runId);
  try {
    const run = await findRun(db, runId);
    if (!run) throw notFound('run', runId);
    yield run;
    for await (const _ of notifications) {
      const changed = await findRun(db, runId);
      if (changed) yield changed;
    }
  } finally {
    await notifications.return();
  }
}

/** Every run queued or changed from now on, as it is after the change. */
export async function* runsChanges(db: Db, changes: ChangeFeed): AsyncGenerator<RunsChange> {
  const notifications = changes.subscribeAll(RUN_UPDATED_CHANNEL);
  try {
    for await (const runId of notifications) {
      if (runId === '') {
        yield { run: null };
        continue;
      }
      const run = await findRun(db, runId);
      if (run) yield { run };
    }
  } finally {
    await notifications.return();
  }
}

/**
 * Every metric point of the run with a step after `afterStep`: what is stored already, then each
 * new batch as the worker writes it. Points written later at the last step seen are not missed.
 */
export async function* metricBatches(
  db: Db,
  changes: ChangeFeed,
  runId: string,
  afterStep: number,
): AsyncGenerator<MetricBatch> {
  const notifications = changes.subscribe(METRICS_APPENDED_CHANNEL, runId);
  // Sent so far: every point at steps <= seenThrough, and `keysAtLastStep` at lastStep.
  let seenThrough = afterStep;
  let lastStep = afterStep;
  let keysAtLastStep = new Set<string>();
  const readNew = async (): Promise<MetricPoint[]> => {
    const rows = await db.metricPoint.findMany({
      where: { runId, step: { gt: seenThrough } },
      orderBy: [{ step: 'asc' }, { key: 'asc' }],
      take: MAX_POINTS_PER_BATCH,
      select: { key: true, step: true, value: true },
    });
    const fresh = rows.filter((row) => row.step !== lastStep || !keysAtLastStep.has(row.key));
    for (const point of fresh) {
      if (point.step !== lastStep) {
        seenThrough = lastStep;
        lastStep = point.step;
        keysAtLastStep = new Set();
      }
      keysAtLastStep.add(point.key);
    }
    return fresh;
  };
  try {
    if (!(await findRun(db, runId))) throw notFound('run', runId);
    for (;;) {
      for (let points = await readNew(); points.length > 0; points = await readNew()) {
        yield { runId, points, lastStep };
      }
      const { done } = await notifications.next();
      if (done) return;
    }
  } finally {
    await notifications.return();
  }
}
