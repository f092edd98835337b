import { WorkerState } from './worker-status.type.ts';

/** A worker heartbeats HEARTBEATS_PER_LEASE times a lease (see worker/worker.ts). */
const HEARTBEATS_PER_LEASE = 4;
const MISSED_BEATS_FOR_STALE = 2;

/** A worker's state from its heartbeat age against the lease. */
export function workerState(
  worker: { stoppedAt: Date | null; lastSeenAt: Date },
  now: number,
  leaseMs: number,
): WorkerState {
  if (worker.stoppedAt !== null) return WorkerState.STOPPED;
  const age = now - worker.lastSeenAt.getTime();
  if (age > leaseMs) return WorkerState.DEAD;
  if (age > (MISSED_BEATS_FOR_STALE * leaseMs) / HEARTBEATS_PER_LEASE) return WorkerState.STALE;
  return WorkerState.ONLINE;
}

/**
 * When a worker's state changes next by time alone, with no heartbeat (ONLINE to STALE, STALE to
 * DEAD), in epoch milliseconds; null when only a change of its row can change it.
 */
export function nextStateChangeAt(
  worker: { stoppedAt: Date | null; lastSeenAt: Date },
  now: number,
  leaseMs: number,
): number | null {
  if (worker.stoppedAt !== null) return null;
  const seen = worker.lastSeenAt.getTime();
  const stale = seen + (MISSED_BEATS_FOR_STALE * leaseMs) / HEARTBEATS_PER_LEASE;
  // The state function says "past": the change is due just after each threshold.
  for (const at of [stale, seen + leaseMs]) if (at >= now) return at + 1;
  return null;
}
