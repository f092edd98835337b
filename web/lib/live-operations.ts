import { graphql } from './generated/gql.ts';

/** The subscriptions the dashboard's live pages follow (through its server, see app/live). */

export const RUNS_CHANGED_SUBSCRIPTION = graphql(`
  subscription RunsChanged {
    runsChanged {
      run {
        id
        status
      }
    }
  }
`);

export const RUN_UPDATED_SUBSCRIPTION = graphql(`
  subscription RunUpdated($id: ID!) {
    runUpdated(id: $id) {
      id
      status
      progress
    }
  }
`);

export const METRICS_APPENDED_SUBSCRIPTION = graphql(`
  subscription MetricsAppended($runId: ID!, $afterStep: Int!) {
    metricsAppended(runId: $runId, afterStep: $afterStep) {
      runId
      lastStep
    }
  }
`);

export const RUNS_OF_SET_CHANGED_SUBSCRIPTION = graphql(`
  subscription RunsOfSetChanged($ids: [ID!]) {
    runsChanged(ids: $ids, metrics: true) {
      run {
        id
        status
      }
    }
  }
`);

export const SWEEP_RUNS_CHANGED_SUBSCRIPTION = graphql(`
  subscription SweepRunsChanged($sweepId: ID) {
    runsChanged(sweepId: $sweepId, metrics: true) {
      run {
        id
        status
      }
    }
  }
`);

export const WORKERS_CHANGED_SUBSCRIPTION = graphql(`
  subscription WorkersChanged {
    workersChanged {
      worker {
        id
        state
        currentRunId
      }
    }
  }
`);
