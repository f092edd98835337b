import { gql } from './graphql.ts';

export type WorkerState = 'ONLINE' | 'STALE' | 'DEAD' | 'STOPPED';

export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  adapter: unknown;
  state: WorkerState;
  startedAt: string;
  lastSeenAt: string;
  stoppedAt: string | null;
  exitReason: string | null;
  heartbeatAgeSeconds: number;
  currentRunId: string | null;
  runCount: number;
}

export const WORKERS_QUERY = `query Workers($stopped: Int!) {
  workerStatuses(stopped: $stopped) {
    id host pid adapter state startedAt lastSeenAt stoppedAt exitReason heartbeatAgeSeconds
    currentRunId runCount
  }
}`;

/** Every worker not stopped, then the most recently stopped ones. */
export async function fetchWorkers(stopped = 10): Promise<WorkerStatus[]> {
  const { workerStatuses } = await gql<{ workerStatuses: WorkerStatus[] }>(WORKERS_QUERY, {
    stopped,
  });
  return workerStatuses;
}
