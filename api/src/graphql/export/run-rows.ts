import type { Db } from '../../db/client.ts';
import { Prisma } from '../../db/generated/client.ts';
import { afterSql, filterSql, orderSql, sortKey } from '../runs/run-query.sql.ts';
import type { ExportParams } from './export-params.ts';

/** Rows read from Postgres per keyset page. */
export const EXPORT_PAGE_SIZE = 1000;

export interface ExportRow {
  id: string;
  name: string;
  kind: string;
  status: string;
  tags: string[];
  queued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  config: unknown;
  /** Latest value of each requested metric the run has. */
  metrics: Record<string, number> | null;
}

const NEWEST_FIRST = sortKey(null);

/** The database's clock now: runs queued later stay out of an export started now. */
export async function exportStartTime(db: Db): Promise<Date> {
  const [row] = await db.$queryRaw<{ now: Date }[]>`SELECT statement_timestamp() AS now`;
  return row!.now;
}

/**
 * The runs the export covers, newest first like the runs list: filtered, queued by `asOf` (so the
 * CSV header and the rows see the same runs), then limited.
 */
function chosenRunsSql(
  params: ExportParams,
  asOf: Date,
  after: ExportRow | null,
  limit: number,
): Prisma.Sql {
  const keyset = after
    ? afterSql(NEWEST_FIRST, after.queued_at.toISOString(), after.id)
    : Prisma.sql`TRUE`;
  return Prisma.sql`
    SELECT r.id, r.queued_at FROM run r LEFT JOIN experiment e ON e.id = r.experiment_id
    WHERE ${filterSql(params.filter)} AND r.queued_at <= ${asOf}::timestamptz AND ${keyset}
    ORDER BY ${orderSql(NEWEST_FIRST)}
    LIMIT ${limit}`;
}

/**
 * The export's runs in keyset pages of EXPORT_PAGE_SIZE, so memory holds one page at a time;
 * metric values come from the summary table, for the page's rows only.
 */
export async function* exportRunPages(
  db: Db,
  params: ExportParams,
  asOf: Date,
): AsyncGenerator<ExportRow[]> {
  let after: ExportRow | null = null;
  let left = params.limit;
  while (left > 0) {
    const size = Math.min(EXPORT_PAGE_SIZE, left);
    const page: ExportRow[] = await db.$queryRaw<ExportRow[]>`
      WITH page AS (${chosenRunsSql(params, asOf, after, size)})
      SELECT r.id, e.name, e.kind, r.status::text AS status, e.tags, r.queued_at, r.started_at,
             r.finished_at, e.config,
             (SELECT jsonb_object_agg(s.key, s.last_value) FROM run_metric_summary s
              WHERE s.run_id = r.id AND s.key = ANY(${params.metrics}::text[])) AS metrics
      FROM page JOIN run r ON r.id = page.id JOIN experiment e ON e.id = r.experiment_id
      ORDER BY r.queued_at DESC, r.id DESC`;
    if (page.length === 0) return;
    yield page;
    if (page.length < size) return;
    left -= page.length;
    after = page.at(-1)!;
  }
}

/**
 * The union of flattened config paths (as flattenConfig writes them) over the experiments of the
 * exported runs, sorted: the CSV header needs them before the first row.
 */
export async function exportConfigKeys(
  db: Db,
  params: ExportParams,
  asOf: Date,
): Promise<string[]> {
  const rows = await db.$queryRaw<{ path: string }[]>`
    WITH RECURSIVE chosen AS (
      SELECT DISTINCT r.experiment_id FROM run r
      WHERE r.id IN (SELECT id FROM (${chosenRunsSql(params, asOf, null, params.limit)}) c)
    ), leaves(path, value) AS (
      SELECT j.key, j.value
      FROM chosen JOIN experiment e ON e.id = chosen.experiment_id,
           jsonb_each(CASE WHEN jsonb_typeof(e.config) = 'object' THEN e.config ELSE '{}' END) j
      UNION ALL
      SELECT l.path || '.' || j.key, j.value
      FROM leaves l,
           jsonb_each(CASE WHEN jsonb_typeof(l.value) = 'object' THEN l.value ELSE '{}' END) j
    )
    SELECT DISTINCT path FROM leaves
    WHERE jsonb_typeof(value) <> 'object' OR value = '{}'::jsonb`;
  return rows.map((row) => row.path).sort();
}
