import { graphql } from './generated/gql.ts';
import type {
  RunFilter,
  RunOrder,
  RunIdsOfPrefixesQuery,
  RunQuery,
  RunStatus,
  RunSummaryFieldsFragment,
} from './generated/graphql.ts';
import { gql } from './graphql.ts';

export type { RunStatus } from './generated/graphql.ts';

/** The fields the runs table shows. Timestamps are ISO strings; device is the engine's JSON. */
export type RunSummary = RunSummaryFieldsFragment;
export type MetricValue = RunSummary['metrics'][number];
export type RunDetail = NonNullable<RunQuery['run']>;
export type RunArtifact = RunDetail['artifacts'][number];

export interface RunsPage {
  runs: RunSummary[];
  totalCount: number;
  nextCursor: string | null;
}

export const RUN_SUMMARY_FIELDS = graphql(`
  fragment RunSummaryFields on Run {
    id
    name
    kind
    status
    progress
    device
    queuedAt
    startedAt
    finishedAt
    metrics {
      key
      step
      value
    }
  }
`);

export const RUNS_QUERY = graphql(`
  query Runs($first: Int!, $after: String, $filter: RunFilter, $orderBy: RunOrder) {
    runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...RunSummaryFields
        }
      }
    }
  }
`);

export const RUN_QUERY = graphql(`
  query Run($id: ID!) {
    run(id: $id) {
      ...RunSummaryFields
      experimentId
      priority
      attempt
      error
      config
      tags
      sweepId
      artifacts {
        id
        kind
        path
        bytes
        sha256
        step
      }
      benchmarks {
        ...BenchmarkFields
      }
    }
  }
`);

export const RUNS_PAGE_SIZE = 20;

/** One page of runs matching `filter` in `orderBy`'s order (newest first), after `after`. */
export async function fetchRunsPage(
  after: string | null,
  filter: RunFilter | null = null,
  orderBy: RunOrder | null = null,
): Promise<RunsPage> {
  const { runs } = await gql(RUNS_QUERY, {
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

export const RUN_ID_OF_PREFIX_QUERY = graphql(`
  query RunIdOfPrefix($prefix: String!) {
    runId(prefix: $prefix)
  }
`);

/** Whether `id` could be the start of a run id, as the dashboard and `lab runs` show them. */
export function isShortRunId(id: string): boolean {
  return SHORT_ID.test(id) && !isRunId(id);
}

export const RUN_IDS_OF_PREFIXES_QUERY = graphql(`
  query RunIdsOfPrefixes($prefixes: [String!]!) {
    runIds(prefixes: $prefixes) {
      prefix
      id
      problem
    }
  }
`);

export type RunIdMatch = RunIdsOfPrefixesQuery['runIds'][number];

/**
 * Each typed id as the API resolves it, all in one request: the full id of the one run it starts,
 * or why there is none (no run, several, not the start of an id).
 */
export async function resolveRunIds(prefixes: string[]): Promise<RunIdMatch[]> {
  const { runIds } = await gql(RUN_IDS_OF_PREFIXES_QUERY, { prefixes });
  return runIds;
}

/** The full id of the one run whose id starts with `prefix`; the API says when none or several. */
export async function resolveRunId(prefix: string): Promise<string> {
  const { runId } = await gql(RUN_ID_OF_PREFIX_QUERY, { prefix });
  return runId;
}

/** The run with this id, or null when the API knows none. */
export async function fetchRun(id: string): Promise<RunDetail | null> {
  const { run } = await gql(RUN_QUERY, { id });
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
