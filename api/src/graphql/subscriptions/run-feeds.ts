import type { Db } from '../../db/client.ts';
import { AsyncQueue } from '../../events/async-queue.ts';
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

/** Which runs a runs list follows, and whether written metric points count as a change. */
export interface RunsFilter {
  /** Only these runs. */
  ids?: readonly string[];
  /** Only the runs of this sweep. */
  sweepId?: string;
  /** Also announce a run when it writes metric points (as it is then). */
  metrics?: boolean;
}

/** Most runs whose sweep a runs list remembers (a run's sweep never changes). */
const SWEEP_OF_RUN_CACHE = 10_000;

/**
 * Every run queued or changed from now on, as it is after the change; with `filter`, only the
 * runs it names, and also when they write metric points if it says so.
 */
export async function* runsChanges(
  db: Db,
  changes: ChangeFeed,
  filter: RunsFilter = {},
): AsyncGenerator<RunsChange> {
  const notifications = mergeQueues([
    changes.subscribeAll(RUN_UPDATED_CHANNEL),
    ...(filter.metrics ? [changes.subscribeAll(METRICS_APPENDED_CHANNEL)] : []),
  ]);
  const ids = filter.ids === undefined ? undefined : new Set(filter.ids);
  const sweepOfRun = new Map<string, string | null>();
  const followed = async (runId: string): Promise<boolean> => {
    if (ids !== undefined && !ids.has(runId)) return false;
    if (filter.sweepId === undefined) return true;
    let sweepId = sweepOfRun.get(runId);
    if (sweepId === undefined) {
      const run = await db.run.findUnique({
        where: { id: runId },
        select: { experiment: { select: { sweepId: true } } },
      });
      sweepId = run?.experiment.sweepId ?? null;
      if (sweepOfRun.size >= SWEEP_OF_RUN_CACHE) sweepOfRun.clear();
      sweepOfRun.set(runId, sweepId);
    }
    return sweepId === filter.sweepId;
  };
  try {
    for await (const runId of notifications) {
      if (runId === '') {
        yield { run: null };
        continue;
      }
      if (!(await followed(runId))) continue;
      const run = await findRun(db, runId);
      if (run) yield { run };
    }
  } finally {
    await notifications.return();
  }
}

/** One queue of what any of `queues` yields, in arrival order; returning it returns them all. */
function mergeQueues(queues: AsyncQueue<string>[]): AsyncQueue<string> {
  if (queues.length === 1) return queues[0]!;
  const merged = new AsyncQueue<string>(() => {
    for (const queue of queues) void queue.return();
  });
  for (const queue of queues) {
    void (async () => {
      for await (const value of queue) merged.push(value);
    })();
  }
  return merged;
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
