import type pg from 'pg';
import type { Db } from '../db/client.ts';
import { Prisma } from '../db/generated/client.ts';
import { METRICS_APPENDED_CHANNEL } from '../events/change-feed.ts';

export interface MetricPointRow {
  key: string;
  step: number;
  value: number;
}

/**
 * Where metric points are written: a `pg` pool (the worker's path: about twice as fast for large
 * batches, see BENCHMARKS.md) or the Prisma client.
 */
export type MetricSink = pg.Pool | pg.PoolClient | pg.Client | Db;

/** A run's summary of one key from its points: last step and value, min, max. */
const SUMMARY_AGGREGATES = `(array_agg(step ORDER BY step DESC))[1],
  (array_agg(value ORDER BY step DESC))[1], min(value), max(value)`;

// metric_point has no foreign key to run (its per-row check was 40% of a batch's time): the
// batch locks the run row once, so a concurrent delete waits for it, and writes nothing when the
// run is gone. The delete trigger on run removes a deleted run's points.
const WRITE_POINTS_SQL = `
  WITH target AS (
    SELECT id FROM run WHERE id = $1::uuid FOR KEY SHARE
  ), batch AS (
    SELECT key, step, value
    FROM unnest($2::text[], $3::int[], $4::float8[]) AS p(key, step, value)
  ), points AS (
    INSERT INTO metric_point (run_id, key, step, value)
    SELECT target.id, key, step, value FROM batch CROSS JOIN target
    ON CONFLICT (run_id, key, step) DO UPDATE SET value = EXCLUDED.value, logged_at = now()
  )
  INSERT INTO run_metric_summary AS s (run_id, key, last_step, last_value, min_value, max_value)
  SELECT target.id, key, ${SUMMARY_AGGREGATES}
  FROM batch CROSS JOIN target GROUP BY target.id, key
  ON CONFLICT (run_id, key) DO UPDATE SET
    last_step = GREATEST(s.last_step, EXCLUDED.last_step),
    last_value = CASE WHEN EXCLUDED.last_step >= s.last_step
                      THEN EXCLUDED.last_value ELSE s.last_value END,
    min_value = LEAST(s.min_value, EXCLUDED.min_value),
    max_value = GREATEST(s.max_value, EXCLUDED.max_value),
    updated_at = now()`;

async function execute(sink: MetricSink, text: string, values: unknown[]): Promise<void> {
  if ('query' in sink) await sink.query(text, values);
  else await sink.$executeRawUnsafe(text, ...values);
}

/**
 * Writes a batch of metric points of one run, and folds it into the run's per-key summary, in one
 * statement; then announces it to subscribers. Keyed by (run, key, step): a replay after a crash
 * overwrites instead of duplicating. A batch for a run that no longer exists writes nothing.
 */
export async function writeMetricPoints(
  sink: MetricSink,
  runId: string,
  points: readonly MetricPointRow[],
): Promise<void> {
  if (points.length === 0) return;
  // A batch may hold the same (key, step) twice; ON CONFLICT cannot touch one row twice.
  const latest = new Map<string, MetricPointRow>();
  for (const point of points) latest.set(`${point.key}\u0000${point.step}`, point);
  const rows = [...latest.values()];
  await execute(sink, WRITE_POINTS_SQL, [
    runId,
    rows.map((r) => r.key),
    rows.map((r) => r.step),
    rows.map((r) => r.value),
  ]);
  await execute(sink, 'SELECT pg_notify($1, $2)', [METRICS_APPENDED_CHANNEL, runId]);
}

/**
 * Before a run resumes: deletes its metric points past `step` (what the dead attempt wrote after
 * its last checkpoint; -1 when it had none) and rebuilds its summaries from the points kept, so
 * neither holds values the resumed attempt will not write again.
 */
export async function discardPointsAfter(db: Db, runId: string, step: number): Promise<void> {
  await db.$transaction([
    db.$executeRaw`DELETE FROM metric_point WHERE run_id = ${runId}::uuid AND step > ${step}`,
    db.$executeRaw`DELETE FROM run_metric_summary WHERE run_id = ${runId}::uuid`,
    db.$executeRaw`
      INSERT INTO run_metric_summary (run_id, key, last_step, last_value, min_value, max_value)
      SELECT run_id, key, ${Prisma.raw(SUMMARY_AGGREGATES)}
      FROM metric_point WHERE run_id = ${runId}::uuid GROUP BY run_id, key`,
  ]);
}
