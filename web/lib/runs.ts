import { BENCHMARK_FIELDS, type BenchmarkRow } from './benchmarks.ts';
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

export interface RunArtifact {
  id: string;
  kind: string;
  path: string;
  bytes: number;
  sha256: string;
  step: number | null;
}

export interface RunDetail extends RunSummary {
  experimentId: string;
  sweepId: string | null;
  artifacts: RunArtifact[];
  /** Its benchmark rows, newest first. */
  benchmarks: BenchmarkRow[];
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

export const RUNS_QUERY = `
  query Runs($first: Int!, $after: String, $filter: RunFilter, $orderBy: RunOrder) {
    runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ${RUN_SUMMARY_FIELDS} } }
    }
  }
`;

export const RUN_QUERY = `
  query Run($id: ID!) {
    run(id: $id) {
      ${RUN_SUMMARY_FIELDS}
      experimentId priority attempt error config tags sweepId
      artifacts { id kind path bytes sha256 step }
      benchmarks { ${BENCHMARK_FIELDS} }
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

/** One page of runs matching `filter` in `orderBy`'s order (newest first), after `after`. */
export async function fetchRunsPage(
  after: string | null,
  filter: Record<string, unknown> | null = null,
  orderBy: Record<string, string> | null = null,
): Promise<RunsPage> {
  const { runs } = await gql<RunsQueryData>(RUNS_QUERY, {
    first: RUNS_PAGE_SIZE,
    after,
    filter,
    orderBy,
  });
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

const SHORT_ID = /^[0-9a-f-]{4,35}$/i;

export const RUN_ID_OF_PREFIX_QUERY =
  'query RunIdOfPrefix($prefix: String!) { runId(prefix: $prefix) }';

/** Whether `id` could be the start of a run id, as the dashboard and `lab runs` show them. */
export function isShortRunId(id: string): boolean {
  return SHORT_ID.test(id) && !isRunId(id);
}

/** The full id of the one run whose id starts with `prefix`; the API says when none or several. */
export async function resolveRunId(prefix: string): Promise<string> {
  const { runId } = await gql<{ runId: string }>(RUN_ID_OF_PREFIX_QUERY, { prefix });
  return runId;
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

const DEVICE_LABEL_MAX = 24;

/**
 * A device description cut to its name: `llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)` and
 * `llvmpipe (LLVM 19.1.7, 256 bits)` become `llvmpipe`; `NVIDIA H200` stays as it is.
 */
export function shortDeviceName(description: string): string {
  const name = description.split(/:|\s\(/, 1)[0]!.trim() || description.trim();
  return name.length > DEVICE_LABEL_MAX ? `${name.slice(0, DEVICE_LABEL_MAX - 1)}…` : name;
}
