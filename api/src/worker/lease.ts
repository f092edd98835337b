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

type Transaction = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Hands back what `ended` workers held: unlocks their queue jobs so a live worker takes them (the
 * run then resumes from its latest checkpoint with its next attempt) and puts their runs back to
 * QUEUED.
 */
async function releaseWorkers(
  tx: Transaction,
  ended: { id: string; queueWorkerId: string | null }[],
): Promise<void> {
  const queueWorkerIds = ended.flatMap((w) => (w.queueWorkerId ? [w.queueWorkerId] : []));
  if (queueWorkerIds.length > 0) {
    await tx.$executeRaw`SELECT graphile_worker.force_unlock_workers(${queueWorkerIds}::text[])`;
  }
  await tx.run.updateMany({
    where: { status: 'RUNNING', workerId: { in: ended.map((w) => w.id) } },
    data: { status: 'QUEUED', workerId: null },
  });
}

/**
 * Presumes dead every worker silent for longer than the lease and releases what it held. Safe to
 * call from every worker at once: each dead worker is claimed by one caller.
 */
export async function recoverFromDeadWorkers(db: Db, leaseMs: number): Promise<string[]> {
  const reason = `presumed dead: no heartbeat for ${leaseMs / 1000} s`;
  return db.$transaction(async (tx) => {
    const dead = await tx.$queryRaw<{ id: string; queueWorkerId: string | null }[]>`
      UPDATE worker SET stopped_at = now(), exit_reason = ${reason}
      WHERE stopped_at IS NULL AND last_seen_at < now() - make_interval(secs => ${leaseMs / 1000}::float8)
      RETURNING id, queue_worker_id AS "queueWorkerId"`;
    if (dead.length > 0) await releaseWorkers(tx, dead);
    return dead.map((w) => w.id);
  });
}

/** A worker that died, as recorded: its id and the run it was executing, if any. */
export interface DeadWorker {
  id: string;
  runIds: string[];
}

/**
 * Records that the worker process `pid` on `host` died (`reason`: how) and releases what it held
 * at once, so its run resumes without waiting for the lease. Used by `lab start`, which sees its
 * child die; null when that process had not registered (it died starting up) or already stopped.
 */
export async function recordWorkerDeath(
  db: Db,
  host: string,
  pid: number,
  reason: string,
): Promise<DeadWorker | null> {
  return db.$transaction(async (tx) => {
    const dead = await tx.$queryRaw<{ id: string; queueWorkerId: string | null }[]>`
      UPDATE worker SET stopped_at = now(), exit_reason = ${reason}
      WHERE stopped_at IS NULL AND host = ${host} AND pid = ${pid}
      RETURNING id, queue_worker_id AS "queueWorkerId"`;
    if (dead.length === 0) return null;
    const running = await tx.run.findMany({
      where: { status: 'RUNNING', workerId: { in: dead.map((w) => w.id) } },
      select: { id: true },
    });
    await releaseWorkers(tx, dead);
    return { id: dead[0]!.id, runIds: running.map((run) => run.id) };
  });
}
