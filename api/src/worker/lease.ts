import type { Db } from '../db/client.ts';

/** How long a worker may go without a heartbeat before it is presumed dead. */
export const DEFAULT_LEASE_MS = 60_000;

export function leaseMsFromEnv(): number {
  const raw = process.env.FACTORLAB_WORKER_LEASE_MS;
  if (!raw) return DEFAULT_LEASE_MS;
  const lease = Number(raw);
  if (!Number.isInteger(lease) || lease < 1000) {
    throw new Error(
      `FACTORLAB_WORKER_LEASE_MS=${raw} is not valid: set it to milliseconds, at least 1000`,
    );
  }
  return lease;
}

/**
 * Presumes dead every worker silent for longer than the lease: unlocks the queue jobs it held so a
 * live worker takes them (the run then resumes with its next attempt) and puts its runs back to
 * QUEUED. Safe to call from every worker at once: each dead worker is claimed by one caller.
 */
export async function recoverFromDeadWorkers(db: Db, leaseMs: number): Promise<string[]> {
  return db.$transaction(async (tx) => {
    const dead = await tx.$queryRaw<{ id: string; queueWorkerId: string | null }[]>`
      UPDATE worker SET stopped_at = now()
      WHERE stopped_at IS NULL AND last_seen_at < now() - make_interval(secs => ${leaseMs / 1000}::float8)
      RETURNING id, queue_worker_id AS "queueWorkerId"`;
    if (dead.length === 0) return [];
    const queueWorkerIds = dead.flatMap((w) => (w.queueWorkerId ? [w.queueWorkerId] : []));
    if (queueWorkerIds.length > 0) {
      await tx.$executeRaw`SELECT graphile_worker.force_unlock_workers(${queueWorkerIds}::text[])`;
    }
    await tx.run.updateMany({
      where: { status: 'RUNNING', workerId: { in: dead.map((w) => w.id) } },
      data: { status: 'QUEUED', workerId: null },
    });
    return dead.map((w) => w.id);
  });
}
