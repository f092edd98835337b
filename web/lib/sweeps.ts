import { flattenConfig } from './config-summary.ts';
import { graphql } from './generated/gql.ts';
import type { QueueSweepInput, SweepQuery } from './generated/graphql.ts';
import { gql } from './graphql.ts';
import { spreadOf, type Spread } from './noise.ts';

export const SWEEP_QUERY = graphql(`
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
`);

export type SweepDetail = NonNullable<SweepQuery['sweep']>;
export type SweepRun = SweepDetail['runs'][number];

/** The sweep with its runs, or null when the API knows none. */
export async function fetchSweep(id: string): Promise<SweepDetail | null> {
  const { sweep } = await gql(SWEEP_QUERY, { id });
  return sweep;
}

export const QUEUE_SWEEP_MUTATION = graphql(`
  mutation QueueSweep($input: QueueSweepInput!) {
    queueSweep(input: $input) {
      sweep {
        id
        runCount
      }
    }
  }
`);

/** Queues every point of a sweep, all or nothing; the API checks each point's config. */
export async function queueSweep(input: QueueSweepInput): Promise<string> {
  const { queueSweep: payload } = await gql(QUEUE_SWEEP_MUTATION, { input });
  return payload.sweep.id;
}

/** One point of a sweep (one configuration) and the spread of its succeeded runs' metrics. */
export interface SweepPoint {
  config: unknown;
  runIds: string[];
  spreads: Map<string, Spread>;
}

/**
 * The sweep's runs grouped by configuration (repeats of one point together), each metric's mean
 * and spread over the point's succeeded runs.
 */
export function sweepPoints(runs: SweepRun[]): SweepPoint[] {
  const byConfig = new Map<string, SweepRun[]>();
  for (const run of runs) {
    const key = JSON.stringify(flattenConfig(run.config).sort(([a], [b]) => a.localeCompare(b)));
    byConfig.set(key, [...(byConfig.get(key) ?? []), run]);
  }
  return [...byConfig.values()].map((group) => {
    const succeeded = group.filter((run) => run.status === 'SUCCEEDED');
    const keys = [...new Set(succeeded.flatMap((run) => run.metrics.map((m) => m.key)))];
    const spreads = new Map<string, Spread>();
    for (const key of keys) {
      const values = succeeded.flatMap((run) =>
        run.metrics.filter((m) => m.key === key).map((m) => m.value),
      );
      const spread = spreadOf(values);
      if (spread !== null) spreads.set(key, spread);
    }
    return { config: group[0]!.config, runIds: group.map((run) => run.id), spreads };
  });
}
