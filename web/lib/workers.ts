import { graphql } from './generated/gql.ts';
import type { WorkersQuery } from './generated/graphql.ts';
import { gql } from './graphql.ts';

export type { WorkerState } from './generated/graphql.ts';

export const WORKERS_QUERY = graphql(`
  query Workers($stopped: Int!) {
    workerStatuses(stopped: $stopped) {
      id
      host
      pid
      adapter
      state
      startedAt
      lastSeenAt
      stoppedAt
      exitReason
      heartbeatAgeSeconds
      currentRunId
      runCount
    }
  }
`);

export type WorkerStatus = WorkersQuery['workerStatuses'][number];

/** Every worker not stopped, then the most recently stopped ones. */
export async function fetchWorkers(stopped = 10): Promise<WorkerStatus[]> {
  const { workerStatuses } = await gql(WORKERS_QUERY, { stopped });
  return workerStatuses;
}
