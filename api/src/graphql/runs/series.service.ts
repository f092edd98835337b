import type { Db } from '../../db/client.ts';
import { badUserInput } from '../errors.ts';
import type { MetricSeries } from './series.type.ts';

export const MAX_SERIES_KEYS = 50;
export const MAX_SERIES_SAMPLES = 2000;

export interface SeriesRequest {
  keys: string[];
  minStep: number | null;
  maxStep: number | null;
  samples: number;
}

function validate(request: SeriesRequest): void {
  if (request.keys.length < 1 || request.keys.length > MAX_SERIES_KEYS) {
    throw badUserInput('keys', `give 1 to ${MAX_SERIES_KEYS} metric keys`);
  }
  if (!Number.isInteger(request.samples) || request.samples < 1) {
    throw badUserInput('samples', 'must be a positive integer');
  }
  if (request.samples > MAX_SERIES_SAMPLES) {
    throw badUserInput('samples', `at most ${MAX_SERIES_SAMPLES}`);
  }
  if (request.minStep !== null && request.maxStep !== null && request.minStep > request.maxStep) {
    throw badUserInput('minStep', 'is greater than maxStep');
  }
}

/**
 * Each key's points in [minStep, maxStep], cut into at most `samples` equal step ranges; each range
 * gives its last point and its min and max, so a chart keeps spikes a plain sample would drop.
 */
export async function metricSeries(
  db: Db,
  runId: string,
  request: SeriesRequest,
): Promise<MetricSeries[]> {
  validate(request);
  const rows = await db.$queryRaw<
    { key: string; step: number; value: number; min: number; max: number; total: number }[]
  >`
    WITH points AS (
      SELECT key, step, value FROM metric_point
      WHERE run_id = ${runId}::uuid AND key = ANY(${request.keys}::text[])
        AND step >= COALESCE(${request.minStep}::int, -2147483648)
        AND step <= COALESCE(${request.maxStep}::int, 2147483647)
    ), bounds AS (
      SELECT key, min(step) AS lo, max(step) AS hi, count(*)::int AS total FROM points GROUP BY key
    ), bucketed AS (
      SELECT p.key, p.step, p.value, b.total,
             floor((p.step - b.lo)::float8 * ${request.samples}::int / (b.hi - b.lo + 1))::int AS bucket
      FROM points p JOIN bounds b USING (key)
    )
    SELECT key, max(step) AS step, (array_agg(value ORDER BY step DESC))[1] AS value,
           min(value) AS min, max(value) AS max, max(total) AS total
    FROM bucketed GROUP BY key, bucket ORDER BY key, bucket`;
  const byKey = new Map<string, MetricSeries>(
    request.keys.map((key) => [key, { key, totalPoints: 0, points: [] }]),
  );
  for (const row of rows) {
    const series = byKey.get(row.key)!;
    series.totalPoints = row.total;
    series.points.push({ step: row.step, value: row.value, min: row.min, max: row.max });
  }
  return [...byKey.values()];
}
