/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment BenchmarkFields on Benchmark {\n    batch\n    promptLen\n    genLen\n    dtype\n    prefillTokS\n    decodeTokS\n    decodeP50Ms\n    decodeP95Ms\n    speedup\n    bound\n    efficiency\n    device\n  }\n": typeof types.BenchmarkFieldsFragmentDoc,
    "\n  query Experiments($first: Int!, $after: String, $filter: ExperimentFilter) {\n    experiments(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          kind\n          tags\n          createdAt\n          runCount\n          sweepId\n          latestRun {\n            id\n            status\n          }\n        }\n      }\n    }\n  }\n": typeof types.ExperimentsDocument,
    "\n  query Experiment($id: ID!) {\n    experiment(id: $id) {\n      id\n      name\n      kind\n      config\n      configHash\n      tags\n      createdAt\n      runCount\n      sweepId\n      runs {\n        id\n        status\n        progress\n        attempt\n        queuedAt\n        startedAt\n        finishedAt\n      }\n    }\n  }\n": typeof types.ExperimentDocument,
    "\n  query JobKinds {\n    jobKinds {\n      kind\n      configSchema\n    }\n  }\n": typeof types.JobKindsDocument,
    "\n  mutation QueueExperiment($input: QueueExperimentInput!) {\n    queueExperiment(input: $input) {\n      run {\n        id\n      }\n    }\n  }\n": typeof types.QueueExperimentDocument,
    "\n  subscription RunsChanged {\n    runsChanged {\n      run {\n        id\n        status\n      }\n    }\n  }\n": typeof types.RunsChangedDocument,
    "\n  subscription RunUpdated($id: ID!) {\n    runUpdated(id: $id) {\n      id\n      status\n      progress\n    }\n  }\n": typeof types.RunUpdatedDocument,
    "\n  subscription MetricsAppended($runId: ID!, $afterStep: Int!) {\n    metricsAppended(runId: $runId, afterStep: $afterStep) {\n      runId\n      lastStep\n    }\n  }\n": typeof types.MetricsAppendedDocument,
    "\n  subscription RunsOfSetChanged($ids: [ID!]) {\n    runsChanged(ids: $ids, metrics: true) {\n      run {\n        id\n        status\n      }\n    }\n  }\n": typeof types.RunsOfSetChangedDocument,
    "\n  subscription SweepRunsChanged($sweepId: ID) {\n    runsChanged(sweepId: $sweepId, metrics: true) {\n      run {\n        id\n        status\n      }\n    }\n  }\n": typeof types.SweepRunsChangedDocument,
    "\n  subscription WorkersChanged {\n    workersChanged {\n      worker {\n        id\n        state\n        currentRunId\n      }\n    }\n  }\n": typeof types.WorkersChangedDocument,
    "\n  query Models($first: Int!, $after: String) {\n    models(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          path\n          config\n          parameterCount\n          bytes\n          sha256\n          createdAt\n        }\n      }\n    }\n  }\n": typeof types.ModelsDocument,
    "\n  fragment ActionPayloadFields on RunActionPayload {\n    run {\n      id\n    }\n    userErrors {\n      field\n      message\n    }\n  }\n": typeof types.ActionPayloadFieldsFragmentDoc,
    "\n  mutation CancelRun($id: ID!) {\n    cancelRun(id: $id) {\n      ...ActionPayloadFields\n    }\n  }\n": typeof types.CancelRunDocument,
    "\n  mutation RetryRun($id: ID!) {\n    retryRun(id: $id) {\n      ...ActionPayloadFields\n    }\n  }\n": typeof types.RetryRunDocument,
    "\n  mutation CloneRun($id: ID!, $configPatch: JSON, $name: String) {\n    cloneRun(id: $id, configPatch: $configPatch, name: $name) {\n      ...ActionPayloadFields\n    }\n  }\n": typeof types.CloneRunDocument,
    "\n  query RunLogTail($id: ID!, $last: Int!) {\n    run(id: $id) {\n      logs(last: $last) {\n        lines {\n          seq\n          level\n          message\n          loggedAt\n        }\n      }\n    }\n  }\n": typeof types.RunLogTailDocument,
    "\n  subscription LogsAppended($runId: ID!, $afterSeq: Int!) {\n    logsAppended(runId: $runId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        level\n        message\n        loggedAt\n      }\n    }\n  }\n": typeof types.LogsAppendedDocument,
    "\n  fragment RunSummaryFields on Run {\n    id\n    name\n    kind\n    status\n    progress\n    device\n    queuedAt\n    startedAt\n    finishedAt\n    metrics {\n      key\n      step\n      value\n    }\n  }\n": typeof types.RunSummaryFieldsFragmentDoc,
    "\n  query Runs($first: Int!, $after: String, $filter: RunFilter, $orderBy: RunOrder) {\n    runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...RunSummaryFields\n        }\n      }\n    }\n  }\n": typeof types.RunsDocument,
    "\n  query Run($id: ID!) {\n    run(id: $id) {\n      ...RunSummaryFields\n      experimentId\n      priority\n      attempt\n      error\n      config\n      tags\n      sweepId\n      artifacts {\n        id\n        kind\n        path\n        bytes\n        sha256\n        step\n      }\n      benchmarks {\n        ...BenchmarkFields\n      }\n    }\n  }\n": typeof types.RunDocument,
    "\n  query RunIdOfPrefix($prefix: String!) {\n    runId(prefix: $prefix)\n  }\n": typeof types.RunIdOfPrefixDocument,
    "\n  query RunIdsOfPrefixes($prefixes: [String!]!) {\n    runIds(prefixes: $prefixes) {\n      prefix\n      id\n      problem\n    }\n  }\n": typeof types.RunIdsOfPrefixesDocument,
    "\n  fragment SeriesFields on MetricSeries {\n    key\n    totalPoints\n    points {\n      step\n      value\n      min\n      max\n    }\n  }\n": typeof types.SeriesFieldsFragmentDoc,
    "\n  query RunSeries($id: ID!, $keys: [String!]!, $samples: Int!) {\n    run(id: $id) {\n      series(keys: $keys, samples: $samples) {\n        ...SeriesFields\n      }\n    }\n  }\n": typeof types.RunSeriesDocument,
    "\n  query Sweep($id: ID!) {\n    sweep(id: $id) {\n      id\n      name\n      kind\n      strategy\n      spec\n      createdAt\n      runCount\n      runs {\n        ...RunSummaryFields\n        config\n      }\n    }\n  }\n": typeof types.SweepDocument,
    "\n  mutation QueueSweep($input: QueueSweepInput!) {\n    queueSweep(input: $input) {\n      sweep {\n        id\n        runCount\n      }\n    }\n  }\n": typeof types.QueueSweepDocument,
    "\n  query Workers($stopped: Int!) {\n    workerStatuses(stopped: $stopped) {\n      id\n      host\n      pid\n      adapter\n      state\n      startedAt\n      lastSeenAt\n      stoppedAt\n      exitReason\n      heartbeatAgeSeconds\n      currentRunId\n      runCount\n    }\n  }\n": typeof types.WorkersDocument,
};
const documents: Documents = {
    "\n  fragment BenchmarkFields on Benchmark {\n    batch\n    promptLen\n    genLen\n    dtype\n    prefillTokS\n    decodeTokS\n    decodeP50Ms\n    decodeP95Ms\n    speedup\n    bound\n    efficiency\n    device\n  }\n": types.BenchmarkFieldsFragmentDoc,
    "\n  query Experiments($first: Int!, $after: String, $filter: ExperimentFilter) {\n    experiments(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          kind\n          tags\n          createdAt\n          runCount\n          sweepId\n          latestRun {\n            id\n            status\n          }\n        }\n      }\n    }\n  }\n": types.ExperimentsDocument,
    "\n  query Experiment($id: ID!) {\n    experiment(id: $id) {\n      id\n      name\n      kind\n      config\n      configHash\n      tags\n      createdAt\n      runCount\n      sweepId\n      runs {\n        id\n        status\n        progress\n        attempt\n        queuedAt\n        startedAt\n        finishedAt\n      }\n    }\n  }\n": types.ExperimentDocument,
    "\n  query JobKinds {\n    jobKinds {\n      kind\n      configSchema\n    }\n  }\n": types.JobKindsDocument,
    "\n  mutation QueueExperiment($input: QueueExperimentInput!) {\n    queueExperiment(input: $input) {\n      run {\n        id\n      }\n    }\n  }\n": types.QueueExperimentDocument,
    "\n  subscription RunsChanged {\n    runsChanged {\n      run {\n        id\n        status\n      }\n    }\n  }\n": types.RunsChangedDocument,
    "\n  subscription RunUpdated($id: ID!) {\n    runUpdated(id: $id) {\n      id\n      status\n      progress\n    }\n  }\n": types.RunUpdatedDocument,
    "\n  subscription MetricsAppended($runId: ID!, $afterStep: Int!) {\n    metricsAppended(runId: $runId, afterStep: $afterStep) {\n      runId\n      lastStep\n    }\n  }\n": types.MetricsAppendedDocument,
    "\n  subscription RunsOfSetChanged($ids: [ID!]) {\n    runsChanged(ids: $ids, metrics: true) {\n      run {\n        id\n        status\n      }\n    }\n  }\n": types.RunsOfSetChangedDocument,
    "\n  subscription SweepRunsChanged($sweepId: ID) {\n    runsChanged(sweepId: $sweepId, metrics: true) {\n      run {\n        id\n        status\n      }\n    }\n  }\n": types.SweepRunsChangedDocument,
    "\n  subscription WorkersChanged {\n    workersChanged {\n      worker {\n        id\n        state\n        currentRunId\n      }\n    }\n  }\n": types.WorkersChangedDocument,
    "\n  query Models($first: Int!, $after: String) {\n    models(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          path\n          config\n          parameterCount\n          bytes\n          sha256\n          createdAt\n        }\n      }\n    }\n  }\n": types.ModelsDocument,
    "\n  fragment ActionPayloadFields on RunActionPayload {\n    run {\n      id\n    }\n    userErrors {\n      field\n      message\n    }\n  }\n": types.ActionPayloadFieldsFragmentDoc,
    "\n  mutation CancelRun($id: ID!) {\n    cancelRun(id: $id) {\n      ...ActionPayloadFields\n    }\n  }\n": types.CancelRunDocument,
    "\n  mutation RetryRun($id: ID!) {\n    retryRun(id: $id) {\n      ...ActionPayloadFields\n    }\n  }\n": types.RetryRunDocument,
    "\n  mutation CloneRun($id: ID!, $configPatch: JSON, $name: String) {\n    cloneRun(id: $id, configPatch: $configPatch, name: $name) {\n      ...ActionPayloadFields\n    }\n  }\n": types.CloneRunDocument,
    "\n  query RunLogTail($id: ID!, $last: Int!) {\n    run(id: $id) {\n      logs(last: $last) {\n        lines {\n          seq\n          level\n          message\n          loggedAt\n        }\n      }\n    }\n  }\n": types.RunLogTailDocument,
    "\n  subscription LogsAppended($runId: ID!, $afterSeq: Int!) {\n    logsAppended(runId: $runId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        level\n        message\n        loggedAt\n      }\n    }\n  }\n": types.LogsAppendedDocument,
    "\n  fragment RunSummaryFields on Run {\n    id\n    name\n    kind\n    status\n    progress\n    device\n    queuedAt\n    startedAt\n    finishedAt\n    metrics {\n      key\n      step\n      value\n    }\n  }\n": types.RunSummaryFieldsFragmentDoc,
    "\n  query Runs($first: Int!, $after: String, $filter: RunFilter, $orderBy: RunOrder) {\n    runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...RunSummaryFields\n        }\n      }\n    }\n  }\n": types.RunsDocument,
    "\n  query Run($id: ID!) {\n    run(id: $id) {\n      ...RunSummaryFields\n      experimentId\n      priority\n      attempt\n      error\n      config\n      tags\n      sweepId\n      artifacts {\n        id\n        kind\n        path\n        bytes\n        sha256\n        step\n      }\n      benchmarks {\n        ...BenchmarkFields\n      }\n    }\n  }\n": types.RunDocument,
    "\n  query RunIdOfPrefix($prefix: String!) {\n    runId(prefix: $prefix)\n  }\n": types.RunIdOfPrefixDocument,
    "\n  query RunIdsOfPrefixes($prefixes: [String!]!) {\n    runIds(prefixes: $prefixes) {\n      prefix\n      id\n      problem\n    }\n  }\n": types.RunIdsOfPrefixesDocument,
    "\n  fragment SeriesFields on MetricSeries {\n    key\n    totalPoints\n    points {\n      step\n      value\n      min\n      max\n    }\n  }\n": types.SeriesFieldsFragmentDoc,
    "\n  query RunSeries($id: ID!, $keys: [String!]!, $samples: Int!) {\n    run(id: $id) {\n      series(keys: $keys, samples: $samples) {\n        ...SeriesFields\n      }\n    }\n  }\n": types.RunSeriesDocument,
    "\n  query Sweep($id: ID!) {\n    sweep(id: $id) {\n      id\n      name\n      kind\n      strategy\n      spec\n      createdAt\n      runCount\n      runs {\n        ...RunSummaryFields\n        config\n      }\n    }\n  }\n": types.SweepDocument,
    "\n  mutation QueueSweep($input: QueueSweepInput!) {\n    queueSweep(input: $input) {\n      sweep {\n        id\n        runCount\n      }\n    }\n  }\n": types.QueueSweepDocument,
    "\n  query Workers($stopped: Int!) {\n    workerStatuses(stopped: $stopped) {\n      id\n      host\n      pid\n      adapter\n      state\n      startedAt\n      lastSeenAt\n      stoppedAt\n      exitReason\n      heartbeatAgeSeconds\n      currentRunId\n      runCount\n    }\n  }\n": types.WorkersDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BenchmarkFields on Benchmark {\n    batch\n    promptLen\n    genLen\n    dtype\n    prefillTokS\n    decodeTokS\n    decodeP50Ms\n    decodeP95Ms\n    speedup\n    bound\n    efficiency\n    device\n  }\n"): typeof import('./graphql.ts').BenchmarkFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Experiments($first: Int!, $after: String, $filter: ExperimentFilter) {\n    experiments(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          kind\n          tags\n          createdAt\n          runCount\n          sweepId\n          latestRun {\n            id\n            status\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').ExperimentsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Experiment($id: ID!) {\n    experiment(id: $id) {\n      id\n      name\n      kind\n      config\n      configHash\n      tags\n      createdAt\n      runCount\n      sweepId\n      runs {\n        id\n        status\n        progress\n        attempt\n        queuedAt\n        startedAt\n        finishedAt\n      }\n    }\n  }\n"): typeof import('./graphql.ts').ExperimentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JobKinds {\n    jobKinds {\n      kind\n      configSchema\n    }\n  }\n"): typeof import('./graphql.ts').JobKindsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation QueueExperiment($input: QueueExperimentInput!) {\n    queueExperiment(input: $input) {\n      run {\n        id\n      }\n    }\n  }\n"): typeof import('./graphql.ts').QueueExperimentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunsChanged {\n    runsChanged {\n      run {\n        id\n        status\n      }\n    }\n  }\n"): typeof import('./graphql.ts').RunsChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunUpdated($id: ID!) {\n    runUpdated(id: $id) {\n      id\n      status\n      progress\n    }\n  }\n"): typeof import('./graphql.ts').RunUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription MetricsAppended($runId: ID!, $afterStep: Int!) {\n    metricsAppended(runId: $runId, afterStep: $afterStep) {\n      runId\n      lastStep\n    }\n  }\n"): typeof import('./graphql.ts').MetricsAppendedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunsOfSetChanged($ids: [ID!]) {\n    runsChanged(ids: $ids, metrics: true) {\n      run {\n        id\n        status\n      }\n    }\n  }\n"): typeof import('./graphql.ts').RunsOfSetChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SweepRunsChanged($sweepId: ID) {\n    runsChanged(sweepId: $sweepId, metrics: true) {\n      run {\n        id\n        status\n      }\n    }\n  }\n"): typeof import('./graphql.ts').SweepRunsChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WorkersChanged {\n    workersChanged {\n      worker {\n        id\n        state\n        currentRunId\n      }\n    }\n  }\n"): typeof import('./graphql.ts').WorkersChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Models($first: Int!, $after: String) {\n    models(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          path\n          config\n          parameterCount\n          bytes\n          sha256\n          createdAt\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').ModelsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ActionPayloadFields on RunActionPayload {\n    run {\n      id\n    }\n    userErrors {\n      field\n      message\n    }\n  }\n"): typeof import('./graphql.ts').ActionPayloadFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRun($id: ID!) {\n    cancelRun(id: $id) {\n      ...ActionPayloadFields\n    }\n  }\n"): typeof import('./graphql.ts').CancelRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryRun($id: ID!) {\n    retryRun(id: $id) {\n      ...ActionPayloadFields\n    }\n  }\n"): typeof import('./graphql.ts').RetryRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CloneRun($id: ID!, $configPatch: JSON, $name: String) {\n    cloneRun(id: $id, configPatch: $configPatch, name: $name) {\n      ...ActionPayloadFields\n    }\n  }\n"): typeof import('./graphql.ts').CloneRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunLogTail($id: ID!, $last: Int!) {\n    run(id: $id) {\n      logs(last: $last) {\n        lines {\n          seq\n          level\n          message\n          loggedAt\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').RunLogTailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LogsAppended($runId: ID!, $afterSeq: Int!) {\n    logsAppended(runId: $runId, afterSeq: $afterSeq) {\n      lastSeq\n      lines {\n        seq\n        level\n        message\n        loggedAt\n      }\n    }\n  }\n"): typeof import('./graphql.ts').LogsAppendedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunSummaryFields on Run {\n    id\n    name\n    kind\n    status\n    progress\n    device\n    queuedAt\n    startedAt\n    finishedAt\n    metrics {\n      key\n      step\n      value\n    }\n  }\n"): typeof import('./graphql.ts').RunSummaryFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Runs($first: Int!, $after: String, $filter: RunFilter, $orderBy: RunOrder) {\n    runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...RunSummaryFields\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').RunsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Run($id: ID!) {\n    run(id: $id) {\n      ...RunSummaryFields\n      experimentId\n      priority\n      attempt\n      error\n      config\n      tags\n      sweepId\n      artifacts {\n        id\n        kind\n        path\n        bytes\n        sha256\n        step\n      }\n      benchmarks {\n        ...BenchmarkFields\n      }\n    }\n  }\n"): typeof import('./graphql.ts').RunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunIdOfPrefix($prefix: String!) {\n    runId(prefix: $prefix)\n  }\n"): typeof import('./graphql.ts').RunIdOfPrefixDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunIdsOfPrefixes($prefixes: [String!]!) {\n    runIds(prefixes: $prefixes) {\n      prefix\n      id\n      problem\n    }\n  }\n"): typeof import('./graphql.ts').RunIdsOfPrefixesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SeriesFields on MetricSeries {\n    key\n    totalPoints\n    points {\n      step\n      value\n      min\n      max\n    }\n  }\n"): typeof import('./graphql.ts').SeriesFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunSeries($id: ID!, $keys: [String!]!, $samples: Int!) {\n    run(id: $id) {\n      series(keys: $keys, samples: $samples) {\n        ...SeriesFields\n      }\n    }\n  }\n"): typeof import('./graphql.ts').RunSeriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sweep($id: ID!) {\n    sweep(id: $id) {\n      id\n      name\n      kind\n      strategy\n      spec\n      createdAt\n      runCount\n      runs {\n        ...RunSummaryFields\n        config\n      }\n    }\n  }\n"): typeof import('./graphql.ts').SweepDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation QueueSweep($input: QueueSweepInput!) {\n    queueSweep(input: $input) {\n      sweep {\n        id\n        runCount\n      }\n    }\n  }\n"): typeof import('./graphql.ts').QueueSweepDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Workers($stopped: Int!) {\n    workerStatuses(stopped: $stopped) {\n      id\n      host\n      pid\n      adapter\n      state\n      startedAt\n      lastSeenAt\n      stoppedAt\n      exitReason\n      heartbeatAgeSeconds\n      currentRunId\n      runCount\n    }\n  }\n"): typeof import('./graphql.ts').WorkersDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
