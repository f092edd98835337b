import { gql } from './graphql.ts';

export type RunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface MetricValue {
  key: string;
  step: number;
  value: number;
}

/** The fields the runs table shows. Timestamps are ISO strings; device is the engine's JSON. */
export interface RunSummary {
  id: string;
  name: string;
  kind: string;
  status: RunStatus;
  progress: number;
  device: unknown;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  metrics: MetricValue[];
}

export interface RunDetail extends RunSummary {
  experimentId: string;
  priority: number;
  attempt: number;
  error: string | null;
  config: unknown;
  tags: string[];
}

export interface RunsPage {
  runs: RunSummary[];
  totalCount: number;
  nextCursor: string | null;
}

const RUN_SUMMARY_FIELDS = `
  id name kind status progress device queuedAt startedAt finishedAt
  metrics { key step value }
`;

const RUNS_QUERY = `
  query Runs($first: Int!, $after: String) {
    runs(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ${RUN_SUMMARY_FIELDS} } }
    }
  }
`;

const RUN_QUERY = `
  query Run($id: ID!) {
    run(id: $id) {
      ${RUN_SUMMARY_FIELDS}
      experimentId priority attempt error config tags
    }
  }
`;

interface RunsQueryData {
  runs: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: RunSummary }[];
  };
}

export const RUNS_PAGE_SIZE = 20;

/** One page of runs, newest first (the API's order), starting after `after`. */
export async function fetchRunsPage(after: string | null): Promise<RunsPage> {
  const { runs } = await gql<RunsQueryData>(RUNS_QUERY, { first: RUNS_PAGE_SIZE, after });
  return {
    runs: runs.edges.map((edge) => edge.node),
    totalCount: runs.totalCount,
    nextCursor: runs.pageInfo.hasNextPage ? runs.pageInfo.endCursor : null,
  };
}

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Run ids are UUIDs; the API rejects anything else as bad input rather than answering null. */
export function isRunId(id: string): boolean {
  return RUN_ID.test(id);
}

/** The run with this id, or null when the API knows none. */
export async function fetchRun(id: string): Promise<RunDetail | null> {
  const { run } = await gql<{ run: RunDetail | null }>(RUN_QUERY, { id });
  return run;
}

export function isActive(status: RunStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING';
}

export function metricValue(run: RunSummary, key: string): number | undefined {
  return run.metrics.find((metric) => metric.key === key)?.value;
}

export interface DeviceSummary {
  name: string;
  isCpu: boolean;
}

/** The adapter's name and whether it is a CPU implementation, from the run's device JSON. */
export function summarizeDevice(device: unknown): DeviceSummary | null {
  if (typeof device !== 'object' || device === null) return null;
  const fields = device as Record<string, unknown>;
  const name = [fields.description, fields.device].find(
    (candidate): candidate is string => typeof candidate === 'string' && candidate !== '',
  );
  if (name === undefined) return null;
  return { name, isCpu: fields.isCpu === true };
}
