import type { Db } from '../../db/client.ts';
import { workerState } from './worker-state.ts';
import type { WorkerStatus } from './worker-status.type.ts';

const SELECT = {
  id: true,
  host: true,
  pid: true,
  adapter: true,
  startedAt: true,
  lastSeenAt: true,
  stoppedAt: true,
  _count: { select: { runs: true } },
  runs: { where: { status: 'RUNNING' as const }, select: { id: true }, take: 1 },
};

type WorkerRow = {
  id: string;
  host: string;
  pid: number;
  adapter: unknown;
  startedAt: Date;
  lastSeenAt: Date;
  stoppedAt: Date | null;
  _count: { runs: number };
  runs: { id: string }[];
};

function toStatus(worker: WorkerRow, now: number, leaseMs: number): WorkerStatus {
  return {
    id: worker.id,
    host: worker.host,
    pid: worker.pid,
    adapter: worker.adapter,
    state: workerState(worker, now, leaseMs),
    startedAt: worker.startedAt,
    lastSeenAt: worker.lastSeenAt,
    stoppedAt: worker.stoppedAt,
    heartbeatAgeSeconds: (now - worker.lastSeenAt.getTime()) / 1000,
    currentRunId: worker.runs[0]?.id ?? null,
    runCount: worker._count.runs,
  };
}

/** Every worker not stopped, newest first, then up to `stopped` stopped ones, last stopped first. */
export async function listWorkerStatuses(
  db: Db,
  stopped: number,
  leaseMs: number,
): Promise<WorkerStatus[]> {
  const [live, ended] = await Promise.all([
    db.worker.findMany({
      where: { stoppedAt: null },
      select: SELECT,
      orderBy: { startedAt: 'desc' },
    }),
    db.worker.findMany({
      where: { stoppedAt: { not: null } },
      select: SELECT,
      orderBy: { stoppedAt: 'desc' },
      take: stopped,
    }),
  ]);
  const now = Date.now();
  return [...live, ...ended].map((worker) => toStatus(worker, now, leaseMs));
}

/** One worker as the workers view shows it now; null when there is no such worker. */
export async function findWorkerStatus(
  db: Db,
  id: string,
  leaseMs: number,
): Promise<WorkerStatus | null> {
  const worker = await db.worker.findUnique({ where: { id }, select: SELECT });
  return worker === null ? null : toStatus(worker, Date.now(), leaseMs);
}
