import type { Db } from '../db/client.ts';
import { METRICS_APPENDED_CHANNEL } from '../events/change-feed.ts';

export interface MetricPointRow {
  key: string;
  step: number;
  value: number;
}

/**
 * Writes a batch of metric points of one run, and folds it into the run's per-key summary, in one
 * statement. Keyed by (run, key, step): a replay after a crash overwrites instead of duplicating.
 */
export async function writeMetricPoints(
  db: Db,
  runId: string,
  points: readonly MetricPointRow[],
): Promise<void> {
  if (points.length === 0) return;
  // A batch may hold the same (key, step) twice; ON CONFLICT cannot touch one row twice.
  const latest = new Map<string, MetricPointRow>();
  for (const point of points) latest.set(`${point.key}\u0000${point.step}`, point);
  const rows = [...latest.values()];
  await db.$executeRaw`
    WITH batch AS (
      SELECT key, step, value
      FROM unnest(${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.step)}::int[],
                  ${rows.map((r) => r.value)}::float8[]) AS p(key, step, value)
    ), points AS (
      INSERT INTO metric_point (run_id, key, step, value)
      SELECT ${runId}::uuid, key, step, value FROM batch
      ON CONFLICT (run_id, key, step) DO UPDATE SET value = EXCLUDED.value, logged_at = now()
    )
    INSERT INTO run_metric_summary AS s (run_id, key, last_step, last_value, min_value, max_value)
    SELECT ${runId}::uuid, key,
           (array_agg(step ORDER BY step DESC))[1], (array_agg(value ORDER BY step DESC))[1],
           min(value), max(value)
    FROM batch GROUP BY key
    ON CONFLICT (run_id, key) DO UPDATE SET
      last_step = GREATEST(s.last_step, EXCLUDED.last_step),
      last_value = CASE WHEN EXCLUDED.last_step >= s.last_step
                        THEN EXCLUDED.last_value ELSE s.last_value END,
      min_value = LEAST(s.min_value, EXCLUDED.min_value),
      max_value = GREATEST(s.max_value, EXCLUDED.max_value),
      updated_at = now()`;
  await db.$executeRaw`SELECT pg_notify(${METRICS_APPENDED_CHANNEL}, ${runId})`;
}
