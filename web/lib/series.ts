import { graphql } from './generated/gql.ts';
import type { SeriesFieldsFragment } from './generated/graphql.ts';
import { runTimeDocument, type RunTimeDocument } from './run-time-document.ts';
import { gql } from './graphql.ts';

/** A metric's series downsampled on the server: `totalPoints` before, each bucket's last step and value and its range. */
export const SERIES_FIELDS = graphql(`
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
`);

export type MetricSeries = SeriesFieldsFragment;
export type SeriesPoint = MetricSeries['points'][number];

/** About one point per horizontal pixel of a chart; the API caps samples at 2,000. */
export const RUN_CHART_SAMPLES = 500;
export const COMPARE_CHART_SAMPLES = 300;
/** Charts drawn per page at most; the metrics table lists every key. */
export const MAX_CHARTS = 12;
/** Keys one `series` call may ask for (the API's limit). */
export const MAX_SERIES_KEYS = 50;
/**
 * The share of the API's query cost limit (5,000) a page spends on series; the API prices a series
 * call at 1 + keys x samples / 50.
 */
const SERIES_COST_BUDGET = 4000;

/** How many keys each of `runCount` runs can fetch at `samples` points within the cost budget. */
export function seriesKeysWithinBudget(runCount: number, samples: number): number {
  const perRun = SERIES_COST_BUDGET / Math.max(1, runCount) - 1;
  return Math.max(1, Math.min(MAX_SERIES_KEYS, Math.floor((perRun * 50) / samples)));
}

/** A series worth a chart: two or more points. A single value reads better in the table. */
export function isCurve(series: MetricSeries | undefined): boolean {
  return (series?.points.length ?? 0) >= 2;
}

export const RUN_SERIES_QUERY = graphql(`
  query RunSeries($id: ID!, $keys: [String!]!, $samples: Int!) {
    run(id: $id) {
      series(keys: $keys, samples: $samples) {
        ...SeriesFields
      }
    }
  }
`);

/** The same keys' series of `runCount` runs, one alias each (`r0`, `r1`, ...). */
export function seriesOfRunsDocument(
  runCount: number,
): RunTimeDocument<Record<string, { series: MetricSeries[] } | null>> {
  const indexes = Array.from({ length: runCount }, (_, i) => i);
  const parameters = indexes.map((i) => `$id${i}: ID!`).join(', ');
  const fields = indexes
    .map(
      (i) =>
        `r${i}: run(id: $id${i}) { series(keys: $keys, samples: $samples) { ...SeriesFields } }`,
    )
    .join('\n');
  return runTimeDocument(
    `query SeriesOfRuns(${parameters}, $keys: [String!]!, $samples: Int!) { ${fields} }`,
    SERIES_FIELDS,
  );
}

/** `keys`' series of one run, in the order of `keys`; empty when the run has gone. */
export async function fetchRunSeries(
  runId: string,
  keys: string[],
  samples = RUN_CHART_SAMPLES,
): Promise<MetricSeries[]> {
  if (keys.length === 0) return [];
  const { run } = await gql(RUN_SERIES_QUERY, {
    id: runId,
    keys,
    samples,
  });
  return run?.series ?? [];
}

/** The same keys' series for several runs in one request: a map from run id to its series. */
export async function fetchSeriesOfRuns(
  runIds: string[],
  keys: string[],
  samples = COMPARE_CHART_SAMPLES,
): Promise<Map<string, MetricSeries[]>> {
  if (runIds.length === 0 || keys.length === 0) return new Map();
  const variables = Object.fromEntries(runIds.map((id, i) => [`id${i}`, id]));
  const data = await gql(seriesOfRunsDocument(runIds.length), { ...variables, keys, samples });
  return new Map(runIds.map((id, i) => [id, data[`r${i}`]?.series ?? []]));
}
