import { latestBenchmarksDocument } from './benchmarks.ts';
import { COMPARE_QUERY } from './compare.ts';
import { EXPERIMENT_QUERY, EXPERIMENTS_QUERY } from './experiments.ts';
import { JOB_KINDS_QUERY, QUEUE_EXPERIMENT_MUTATION } from './job-kinds.ts';
import { leaderboardDocument } from './leaderboard.ts';
import { COLUMNS_QUERY, fallbackFields } from './leaderboard-columns.ts';
import {
  METRICS_APPENDED_SUBSCRIPTION,
  RUN_UPDATED_SUBSCRIPTION,
  RUNS_CHANGED_SUBSCRIPTION,
} from './live-operations.ts';
import { MODELS_QUERY, modelRunCountsDocument } from './models.ts';
import { CANCEL_RUN_MUTATION, CLONE_RUN_MUTATION, RETRY_RUN_MUTATION } from './run-actions.ts';
import {
  RUN_ID_OF_PREFIX_QUERY,
  RUN_IDS_OF_PREFIXES_QUERY,
  RUN_QUERY,
  RUNS_QUERY,
} from './runs.ts';
import { RUN_SERIES_QUERY, seriesOfRunsDocument } from './series.ts';
import { QUEUE_SWEEP_MUTATION, SWEEP_QUERY } from './sweeps.ts';
import { WORKERS_QUERY } from './workers.ts';

/**
 * Every GraphQL operation the dashboard sends, by name, as text; those built for a number of runs
 * are built for two, and the leaderboard with the columns it falls back on. Those written with
 * `graphql(...)` are typed by web/lib/generated (test/web/codegen-drift.test.ts keeps it current);
 * test/web/operations-schema.test.ts checks every one, those built at run time included, against
 * the committed schema (api/schema.graphql), so a change to the API that breaks a page fails there.
 */
export function dashboardOperations(): Record<string, string> {
  const documents: Record<string, string | { toString(): string }> = {
    Runs: RUNS_QUERY,
    Run: RUN_QUERY,
    RunIdOfPrefix: RUN_ID_OF_PREFIX_QUERY,
    RunIdsOfPrefixes: RUN_IDS_OF_PREFIXES_QUERY,
    RunSeries: RUN_SERIES_QUERY,
    SeriesOfRuns: seriesOfRunsDocument(2),
    LatestBenchmarks: latestBenchmarksDocument(2),
    Compare: COMPARE_QUERY,
    LeaderboardColumns: COLUMNS_QUERY,
    Leaderboard: leaderboardDocument({ ...fallbackFields(), speedDevice: true }),
    Models: MODELS_QUERY,
    ModelRunCounts: modelRunCountsDocument(2),
    Workers: WORKERS_QUERY,
    Sweep: SWEEP_QUERY,
    QueueSweep: QUEUE_SWEEP_MUTATION,
    Experiments: EXPERIMENTS_QUERY,
    Experiment: EXPERIMENT_QUERY,
    JobKinds: JOB_KINDS_QUERY,
    QueueExperiment: QUEUE_EXPERIMENT_MUTATION,
    CancelRun: CANCEL_RUN_MUTATION,
    RetryRun: RETRY_RUN_MUTATION,
    CloneRun: CLONE_RUN_MUTATION,
    RunsChanged: RUNS_CHANGED_SUBSCRIPTION,
    RunUpdated: RUN_UPDATED_SUBSCRIPTION,
    MetricsAppended: METRICS_APPENDED_SUBSCRIPTION,
  };
  return Object.fromEntries(
    Object.entries(documents).map(([name, document]) => [name, document.toString()]),
  );
}
