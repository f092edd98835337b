/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What a run’s file is. */
export type ArtifactKind =
  | 'CHECKPOINT'
  | 'MODEL'
  | 'OTHER'
  | 'REPORT';

/** A condition on one value of the runs' resolved config. */
export type ConfigPredicate = {
  /** Equal to this JSON value. */
  eq?: unknown;
  gt?: number | null | undefined;
  gte?: number | null | undefined;
  lt?: number | null | undefined;
  lte?: number | null | undefined;
  /** Dotted path into the config, e.g. `size` or `optim.lr`. */
  path: string;
};

/** Experiments matching every given condition. */
export type ExperimentFilter = {
  /** Any of these job kinds. */
  kind?: Array<string> | null | undefined;
  /** Names containing this, any case. */
  nameContains?: string | null | undefined;
  /** All of these tags. */
  tags?: Array<string> | null | undefined;
};

/** How much a log line matters. */
export type LogLevel =
  | 'ERROR'
  | 'INFO'
  | 'WARN';

/** A condition on a metric's latest value. */
export type MetricPredicate = {
  gt?: number | null | undefined;
  gte?: number | null | undefined;
  key: string;
  lt?: number | null | undefined;
  lte?: number | null | undefined;
};

export type OrderDirection =
  | 'ASC'
  | 'DESC';

/** A job to run: its kind, its config (checked by the job schema) and how. */
export type QueueExperimentInput = {
  /** The job's config; defaults fill gaps. */
  config?: unknown;
  /** A job kind of the catalogue, e.g. selftest. */
  kind: string;
  /** Defaults to the kind. */
  name?: string | null | undefined;
  /** From -100 to 100; higher runs sooner. */
  priority?: number;
  tags?: Array<string>;
};

export type QueueSweepInput = {
  /** The config every point starts from. */
  baseConfig?: unknown;
  kind: string;
  /** Refuse sweeps of more runs than this. */
  maxRuns?: number;
  /** Defaults to "<kind> sweep". */
  name?: string | null | undefined;
  parameters: Array<SweepParameter>;
  priority?: number;
  /** How many points RANDOM draws. */
  samples?: number | null | undefined;
  /** Seed of RANDOM, so a sweep can be redone. */
  seed?: number;
  strategy?: SweepStrategy;
  tags?: Array<string>;
};

/** Runs matching every given condition; `and` / `or` nest filters. */
export type RunFilter = {
  and?: Array<RunFilter> | null | undefined;
  config?: Array<ConfigPredicate> | null | undefined;
  /** Any of these job kinds. */
  kind?: Array<string> | null | undefined;
  metric?: Array<MetricPredicate> | null | undefined;
  or?: Array<RunFilter> | null | undefined;
  /** Any of these statuses. */
  status?: Array<RunStatus> | null | undefined;
  /** All of these tags. */
  tags?: Array<string> | null | undefined;
  /** Runs whose id starts with this text (a short id), or whose kind, tags, experiment name, sweep name, error or config (as JSON text) contain it, ignoring case; up to 200 characters. */
  text?: string | null | undefined;
};

/** Sort by a run field or by a metric’s latest value (runs without it last). */
export type RunOrder = {
  direction?: OrderDirection;
  field?: RunOrderField | null | undefined;
  /** A metric key; give this or `field`. */
  metricKey?: string | null | undefined;
};

export type RunOrderField =
  | 'FINISHED_AT'
  | 'PRIORITY'
  | 'PROGRESS'
  | 'QUEUED_AT'
  | 'STARTED_AT';

/** Where a run is in its life. */
export type RunStatus =
  | 'CANCELLED'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

/** One config value to vary: a list of values, or a numeric range. */
export type SweepParameter = {
  /** Round sampled values to integers. */
  integer?: boolean;
  /** Sample the range log-uniformly. */
  logScale?: boolean;
  /** Range end (RANDOM only). */
  max?: number | null | undefined;
  /** Range start (RANDOM only). */
  min?: number | null | undefined;
  /** Dotted path into the config, e.g. `size`. */
  path: string;
  /** The values to try. */
  values?: Array<unknown> | null | undefined;
};

/** GRID: every combination of the values. RANDOM: `samples` random points. */
export type SweepStrategy =
  | 'GRID'
  | 'RANDOM';

/** ONLINE: heartbeats on time. STALE: two or more heartbeats missed. DEAD: silent past its lease, not yet reclaimed. STOPPED: stopped cleanly, or presumed dead and its runs requeued. */
export type WorkerState =
  | 'DEAD'
  | 'ONLINE'
  | 'STALE'
  | 'STOPPED';

export type BenchmarkFieldsFragment = { batch: number, promptLen: number, genLen: number, dtype: string | null, prefillTokS: number, decodeTokS: number, decodeP50Ms: number | null, decodeP95Ms: number | null, speedup: number | null, bound: number | null, efficiency: number | null, device: unknown };

export type ExperimentsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: ExperimentFilter | null | undefined;
}>;


export type ExperimentsQuery = { experiments: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, kind: string, tags: Array<string>, createdAt: string, runCount: number, sweepId: string | null, latestRun: { id: string, status: RunStatus } | null } }> } };

export type ExperimentQueryVariables = Exact<{
  id: string;
}>;


export type ExperimentQuery = { experiment: { id: string, name: string, kind: string, config: unknown, configHash: string, tags: Array<string>, createdAt: string, runCount: number, sweepId: string | null, runs: Array<{ id: string, status: RunStatus, progress: number, attempt: number, queuedAt: string, startedAt: string | null, finishedAt: string | null }> } | null };

export type JobKindsQueryVariables = Exact<{ [key: string]: never; }>;


export type JobKindsQuery = { jobKinds: Array<{ kind: string, configSchema: unknown }> };

export type QueueExperimentMutationVariables = Exact<{
  input: QueueExperimentInput;
}>;


export type QueueExperimentMutation = { queueExperiment: { run: { id: string } } };

export type RunsChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type RunsChangedSubscription = { runsChanged: { run: { id: string, status: RunStatus } | null } };

export type RunUpdatedSubscriptionVariables = Exact<{
  id: string;
}>;


export type RunUpdatedSubscription = { runUpdated: { id: string, status: RunStatus, progress: number } };

export type MetricsAppendedSubscriptionVariables = Exact<{
  runId: string;
  afterStep: number;
}>;


export type MetricsAppendedSubscription = { metricsAppended: { runId: string, lastStep: number } };

export type RunsOfSetChangedSubscriptionVariables = Exact<{
  ids?: Array<string> | string | null | undefined;
}>;


export type RunsOfSetChangedSubscription = { runsChanged: { run: { id: string, status: RunStatus } | null } };

export type SweepRunsChangedSubscriptionVariables = Exact<{
  sweepId?: string | null | undefined;
}>;


export type SweepRunsChangedSubscription = { runsChanged: { run: { id: string, status: RunStatus } | null } };

export type WorkersChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type WorkersChangedSubscription = { workersChanged: { worker: { id: string, state: WorkerState, currentRunId: string | null } | null } };

export type ModelsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type ModelsQuery = { models: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, path: string, config: unknown, parameterCount: number, bytes: number, sha256: string, createdAt: string } }> } };

export type ActionPayloadFieldsFragment = { run: { id: string } | null, userErrors: Array<{ field: string | null, message: string }> };

export type CancelRunMutationVariables = Exact<{
  id: string;
}>;


export type CancelRunMutation = { cancelRun: { run: { id: string } | null, userErrors: Array<{ field: string | null, message: string }> } };

export type RetryRunMutationVariables = Exact<{
  id: string;
}>;


export type RetryRunMutation = { retryRun: { run: { id: string } | null, userErrors: Array<{ field: string | null, message: string }> } };

export type CloneRunMutationVariables = Exact<{
  id: string;
  configPatch?: unknown;
  name?: string | null | undefined;
}>;


export type CloneRunMutation = { cloneRun: { run: { id: string } | null, userErrors: Array<{ field: string | null, message: string }> } };

export type RunLogTailQueryVariables = Exact<{
  id: string;
  last: number;
}>;


export type RunLogTailQuery = { run: { logs: { lines: Array<{ seq: number, level: LogLevel, message: string, loggedAt: string }> } } | null };

export type LogsAppendedSubscriptionVariables = Exact<{
  runId: string;
  afterSeq: number;
}>;


export type LogsAppendedSubscription = { logsAppended: { lastSeq: number, lines: Array<{ seq: number, level: LogLevel, message: string, loggedAt: string }> } };

export type RunSummaryFieldsFragment = { id: string, name: string, kind: string, status: RunStatus, progress: number, device: unknown, queuedAt: string, startedAt: string | null, finishedAt: string | null, metrics: Array<{ key: string, step: number, value: number }> };

export type RunsQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: RunFilter | null | undefined;
  orderBy?: RunOrder | null | undefined;
}>;


export type RunsQuery = { runs: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, name: string, kind: string, status: RunStatus, progress: number, device: unknown, queuedAt: string, startedAt: string | null, finishedAt: string | null, metrics: Array<{ key: string, step: number, value: number }> } }> } };

export type RunQueryVariables = Exact<{
  id: string;
}>;


export type RunQuery = { run: { experimentId: string, priority: number, attempt: number, error: string | null, config: unknown, tags: Array<string>, sweepId: string | null, id: string, name: string, kind: string, status: RunStatus, progress: number, device: unknown, queuedAt: string, startedAt: string | null, finishedAt: string | null, artifacts: Array<{ id: string, kind: ArtifactKind, path: string, bytes: number, sha256: string, step: number | null }>, benchmarks: Array<{ batch: number, promptLen: number, genLen: number, dtype: string | null, prefillTokS: number, decodeTokS: number, decodeP50Ms: number | null, decodeP95Ms: number | null, speedup: number | null, bound: number | null, efficiency: number | null, device: unknown }>, metrics: Array<{ key: string, step: number, value: number }> } | null };

export type RunIdOfPrefixQueryVariables = Exact<{
  prefix: string;
}>;


export type RunIdOfPrefixQuery = { runId: string };

export type RunIdsOfPrefixesQueryVariables = Exact<{
  prefixes: Array<string> | string;
}>;


export type RunIdsOfPrefixesQuery = { runIds: Array<{ prefix: string, id: string | null, problem: string | null }> };

export type SeriesFieldsFragment = { key: string, totalPoints: number, points: Array<{ step: number, value: number, min: number, max: number }> };

export type RunSeriesQueryVariables = Exact<{
  id: string;
  keys: Array<string> | string;
  samples: number;
}>;


export type RunSeriesQuery = { run: { series: Array<{ key: string, totalPoints: number, points: Array<{ step: number, value: number, min: number, max: number }> }> } | null };

export type SweepQueryVariables = Exact<{
  id: string;
}>;


export type SweepQuery = { sweep: { id: string, name: string, kind: string, strategy: SweepStrategy, spec: unknown, createdAt: string, runCount: number, runs: Array<{ config: unknown, id: string, name: string, kind: string, status: RunStatus, progress: number, device: unknown, queuedAt: string, startedAt: string | null, finishedAt: string | null, metrics: Array<{ key: string, step: number, value: number }> }> } | null };

export type QueueSweepMutationVariables = Exact<{
  input: QueueSweepInput;
}>;


export type QueueSweepMutation = { queueSweep: { sweep: { id: string, runCount: number } } };

export type WorkersQueryVariables = Exact<{
  stopped: number;
}>;


export type WorkersQuery = { workerStatuses: Array<{ id: string, host: string, pid: number, adapter: unknown, state: WorkerState, startedAt: string, lastSeenAt: string, stoppedAt: string | null, exitReason: string | null, heartbeatAgeSeconds: number, currentRunId: string | null, runCount: number }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const BenchmarkFieldsFragmentDoc = new TypedDocumentString(`
    fragment BenchmarkFields on Benchmark {
  batch
  promptLen
  genLen
  dtype
  prefillTokS
  decodeTokS
  decodeP50Ms
  decodeP95Ms
  speedup
  bound
  efficiency
  device
}
    `, {"fragmentName":"BenchmarkFields"}) as unknown as TypedDocumentString<BenchmarkFieldsFragment, unknown>;
export const ActionPayloadFieldsFragmentDoc = new TypedDocumentString(`
    fragment ActionPayloadFields on RunActionPayload {
  run {
    id
  }
  userErrors {
    field
    message
  }
}
    `, {"fragmentName":"ActionPayloadFields"}) as unknown as TypedDocumentString<ActionPayloadFieldsFragment, unknown>;
export const RunSummaryFieldsFragmentDoc = new TypedDocumentString(`
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
    `, {"fragmentName":"RunSummaryFields"}) as unknown as TypedDocumentString<RunSummaryFieldsFragment, unknown>;
export const SeriesFieldsFragmentDoc = new TypedDocumentString(`
    fragment SeriesFields on MetricSeries {
  key
  totalPoints
  points {
    step
    value
    min
    max
  }
}
    `, {"fragmentName":"SeriesFields"}) as unknown as TypedDocumentString<SeriesFieldsFragment, unknown>;
export const ExperimentsDocument = new TypedDocumentString(`
    query Experiments($first: Int!, $after: String, $filter: ExperimentFilter) {
  experiments(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        name
        kind
        tags
        createdAt
        runCount
        sweepId
        latestRun {
          id
          status
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ExperimentsQuery, ExperimentsQueryVariables>;
export const ExperimentDocument = new TypedDocumentString(`
    query Experiment($id: ID!) {
  experiment(id: $id) {
    id
    name
    kind
    config
    configHash
    tags
    createdAt
    runCount
    sweepId
    runs {
      id
      status
      progress
      attempt
      queuedAt
      startedAt
      finishedAt
    }
  }
}
    `) as unknown as TypedDocumentString<ExperimentQuery, ExperimentQueryVariables>;
export const JobKindsDocument = new TypedDocumentString(`
    query JobKinds {
  jobKinds {
    kind
    configSchema
  }
}
    `) as unknown as TypedDocumentString<JobKindsQuery, JobKindsQueryVariables>;
export const QueueExperimentDocument = new TypedDocumentString(`
    mutation QueueExperiment($input: QueueExperimentInput!) {
  queueExperiment(input: $input) {
    run {
      id
    }
  }
}
    `) as unknown as TypedDocumentString<QueueExperimentMutation, QueueExperimentMutationVariables>;
export const RunsChangedDocument = new TypedDocumentString(`
    subscription RunsChanged {
  runsChanged {
    run {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<RunsChangedSubscription, RunsChangedSubscriptionVariables>;
export const RunUpdatedDocument = new TypedDocumentString(`
    subscription RunUpdated($id: ID!) {
  runUpdated(id: $id) {
    id
    status
    progress
  }
}
    `) as unknown as TypedDocumentString<RunUpdatedSubscription, RunUpdatedSubscriptionVariables>;
export const MetricsAppendedDocument = new TypedDocumentString(`
    subscription MetricsAppended($runId: ID!, $afterStep: Int!) {
  metricsAppended(runId: $runId, afterStep: $afterStep) {
    runId
    lastStep
  }
}
    `) as unknown as TypedDocumentString<MetricsAppendedSubscription, MetricsAppendedSubscriptionVariables>;
export const RunsOfSetChangedDocument = new TypedDocumentString(`
    subscription RunsOfSetChanged($ids: [ID!]) {
  runsChanged(ids: $ids, metrics: true) {
    run {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<RunsOfSetChangedSubscription, RunsOfSetChangedSubscriptionVariables>;
export const SweepRunsChangedDocument = new TypedDocumentString(`
    subscription SweepRunsChanged($sweepId: ID) {
  runsChanged(sweepId: $sweepId, metrics: true) {
    run {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<SweepRunsChangedSubscription, SweepRunsChangedSubscriptionVariables>;
export const WorkersChangedDocument = new TypedDocumentString(`
    subscription WorkersChanged {
  workersChanged {
    worker {
      id
      state
      currentRunId
    }
  }
}
    `) as unknown as TypedDocumentString<WorkersChangedSubscription, WorkersChangedSubscriptionVariables>;
export const ModelsDocument = new TypedDocumentString(`
    query Models($first: Int!, $after: String) {
  models(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        name
        path
        config
        parameterCount
        bytes
        sha256
        createdAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ModelsQuery, ModelsQueryVariables>;
export const CancelRunDocument = new TypedDocumentString(`
    mutation CancelRun($id: ID!) {
  cancelRun(id: $id) {
    ...ActionPayloadFields
  }
}
    fragment ActionPayloadFields on RunActionPayload {
  run {
    id
  }
  userErrors {
    field
    message
  }
}`) as unknown as TypedDocumentString<CancelRunMutation, CancelRunMutationVariables>;
export const RetryRunDocument = new TypedDocumentString(`
    mutation RetryRun($id: ID!) {
  retryRun(id: $id) {
    ...ActionPayloadFields
  }
}
    fragment ActionPayloadFields on RunActionPayload {
  run {
    id
  }
  userErrors {
    field
    message
  }
}`) as unknown as TypedDocumentString<RetryRunMutation, RetryRunMutationVariables>;
export const CloneRunDocument = new TypedDocumentString(`
    mutation CloneRun($id: ID!, $configPatch: JSON, $name: String) {
  cloneRun(id: $id, configPatch: $configPatch, name: $name) {
    ...ActionPayloadFields
  }
}
    fragment ActionPayloadFields on RunActionPayload {
  run {
    id
  }
  userErrors {
    field
    message
  }
}`) as unknown as TypedDocumentString<CloneRunMutation, CloneRunMutationVariables>;
export const RunLogTailDocument = new TypedDocumentString(`
    query RunLogTail($id: ID!, $last: Int!) {
  run(id: $id) {
    logs(last: $last) {
      lines {
        seq
        level
        message
        loggedAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<RunLogTailQuery, RunLogTailQueryVariables>;
export const LogsAppendedDocument = new TypedDocumentString(`
    subscription LogsAppended($runId: ID!, $afterSeq: Int!) {
  logsAppended(runId: $runId, afterSeq: $afterSeq) {
    lastSeq
    lines {
      seq
      level
      message
      loggedAt
    }
  }
}
    `) as unknown as TypedDocumentString<LogsAppendedSubscription, LogsAppendedSubscriptionVariables>;
export const RunsDocument = new TypedDocumentString(`
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
}`) as unknown as TypedDocumentString<RunsQuery, RunsQueryVariables>;
export const RunDocument = new TypedDocumentString(`
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
    fragment BenchmarkFields on Benchmark {
  batch
  promptLen
  genLen
  dtype
  prefillTokS
  decodeTokS
  decodeP50Ms
  decodeP95Ms
  speedup
  bound
  efficiency
  device
}
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
}`) as unknown as TypedDocumentString<RunQuery, RunQueryVariables>;
export const RunIdOfPrefixDocument = new TypedDocumentString(`
    query RunIdOfPrefix($prefix: String!) {
  runId(prefix: $prefix)
}
    `) as unknown as TypedDocumentString<RunIdOfPrefixQuery, RunIdOfPrefixQueryVariables>;
export const RunIdsOfPrefixesDocument = new TypedDocumentString(`
    query RunIdsOfPrefixes($prefixes: [String!]!) {
  runIds(prefixes: $prefixes) {
    prefix
    id
    problem
  }
}
    `) as unknown as TypedDocumentString<RunIdsOfPrefixesQuery, RunIdsOfPrefixesQueryVariables>;
export const RunSeriesDocument = new TypedDocumentString(`
    query RunSeries($id: ID!, $keys: [String!]!, $samples: Int!) {
  run(id: $id) {
    series(keys: $keys, samples: $samples) {
      ...SeriesFields
    }
  }
}
    fragment SeriesFields on MetricSeries {
  key
  totalPoints
  points {
    step
    value
    min
    max
  }
}`) as unknown as TypedDocumentString<RunSeriesQuery, RunSeriesQueryVariables>;
export const SweepDocument = new TypedDocumentString(`
    query Sweep($id: ID!) {
  sweep(id: $id) {
    id
    name
    kind
    strategy
    spec
    createdAt
    runCount
    runs {
      ...RunSummaryFields
      config
    }
  }
}
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
}`) as unknown as TypedDocumentString<SweepQuery, SweepQueryVariables>;
export const QueueSweepDocument = new TypedDocumentString(`
    mutation QueueSweep($input: QueueSweepInput!) {
  queueSweep(input: $input) {
    sweep {
      id
      runCount
    }
  }
}
    `) as unknown as TypedDocumentString<QueueSweepMutation, QueueSweepMutationVariables>;
export const WorkersDocument = new TypedDocumentString(`
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
    `) as unknown as TypedDocumentString<WorkersQuery, WorkersQueryVariables>;