import type pg from 'pg';

/**
 * Fills a database with `runs` finished selftest runs, each with `metricKeys` summary metrics
 * (m0, m1, ...) and a few metric points, in set-based SQL so 10,000 runs take seconds.
 */
export async function seedRuns(sql: pg.Client, runs: number, metricKeys: number): Promise<void> {
  await sql.query(
    `INSERT INTO experiment (id, name, kind, config, config_hash, tags)
     SELECT gen_random_uuid(), 'bench ' || i, 'selftest',
            jsonb_build_object('size', 8 + i % 512, 'repeats', 1 + i % 7, 'seed', i),
            md5(i::text), ARRAY[CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END]
     FROM generate_series(1, $1) AS i`,
    [runs],
  );
  await sql.query(
    `INSERT INTO run (id, experiment_id, status, progress, queued_at, started_at, finished_at)
     SELECT gen_random_uuid(), e.id,
            (ARRAY['SUCCEEDED','FAILED','CANCELLED','SUCCEEDED'])[1 + (row_number() OVER ()) % 4]::"RunStatus",
            1, now() - (row_number() OVER ()) * interval '1 second',
            now() - (row_number() OVER ()) * interval '1 second',
            now() - (row_number() OVER ()) * interval '1 second' + interval '500 milliseconds'
     FROM experiment e`,
  );
  await sql.query(
    `INSERT INTO run_metric_summary (run_id, key, last_step, last_value, min_value, max_value)
     SELECT r.id, 'm' || k, 100, v, v / 2, v * 2
     FROM run r, generate_series(0, $1 - 1) AS k, LATERAL (SELECT random() AS v) AS value`,
    [metricKeys],
  );
  await sql.query('ANALYZE');
}
