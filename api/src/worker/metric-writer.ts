import type { Db } from '../db/client.ts';

export interface MetricPointRow {
  key: string;
  step: number;
  value: number;
}

/**
 * Writes a batch of metric points of one run in one statement. Keyed by (run, key, step): a replay
 * after a crash overwrites instead of duplicating.
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
    INSERT INTO metric_point (run_id, key, step, value)
    SELECT ${runId}::uuid, key, step, value
    FROM unnest(${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.step)}::int[],
                ${rows.map((r) => r.value)}::float8[]) AS p(key, step, value)
    ON CONFLICT (run_id, key, step) DO UPDATE SET value = EXCLUDED.value, logged_at = now()`;
}
