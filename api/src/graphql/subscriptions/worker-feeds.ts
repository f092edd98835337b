import type { Db } from '../../db/client.ts';
import { WORKER_UPDATED_CHANNEL, type ChangeFeed } from '../../events/change-feed.ts';
import { nextStateChangeAt } from '../worker-view/worker-state.ts';
import { findWorkerStatus } from '../worker-view/worker-statuses.ts';
import type { WorkersChange } from './workers-change.type.ts';

/**
 * Every worker changed from now on, as it is after the change: its row or the runs it holds
 * changed (announced by triggers, whichever process made the change), or its state moved on with
 * time (ONLINE to STALE to DEAD, which no row changes: timed here from its last heartbeat).
 */
export async function* workersChanges(
  db: Db,
  changes: ChangeFeed,
  leaseMs: number,
): AsyncGenerator<WorkersChange> {
  const notifications = changes.subscribeAll(WORKER_UPDATED_CHANNEL);
  // The last heartbeat of each worker not stopped, as last read.
  const lastSeen = new Map<string, Date>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const dueAt = (seen: Date, now: number) =>
    nextStateChangeAt({ stoppedAt: null, lastSeenAt: seen }, now, leaseMs);
  const schedule = () => {
    clearTimeout(timer);
    const scheduledAt = Date.now();
    const next = Math.min(
      ...[...lastSeen.values()].map((seen) => dueAt(seen, scheduledAt) ?? Infinity),
    );
    if (next === Infinity) return;
    timer = setTimeout(
      () => {
        // Each worker due is read again, and so sent as it is now (a heartbeat may have come).
        const due = [...lastSeen].filter(
          ([, seen]) => (dueAt(seen, scheduledAt) ?? Infinity) <= Date.now(),
        );
        for (const [id] of due) notifications.push(id);
        if (due.length === 0) schedule();
      },
      Math.max(0, next - scheduledAt),
    );
  };
  const readLive = async () => {
    const live = await db.worker.findMany({
      where: { stoppedAt: null },
      select: { id: true, lastSeenAt: true },
    });
    lastSeen.clear();
    for (const worker of live) lastSeen.set(worker.id, worker.lastSeenAt);
    schedule();
  };
  try {
    await readLive();
    for await (const workerId of notifications) {
      if (workerId === '') {
        // Changes may have been missed while the feed reconnected.
        await readLive();
        yield { worker: null };
        continue;
      }
      const worker = await findWorkerStatus(db, workerId, leaseMs);
      if (worker === null) continue;
      if (worker.stoppedAt === null) lastSeen.set(worker.id, worker.lastSeenAt);
      else lastSeen.delete(worker.id);
      schedule();
      yield { worker };
    }
  } finally {
    clearTimeout(timer);
    await notifications.return();
  }
}
