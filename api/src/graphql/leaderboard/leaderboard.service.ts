import type { Db } from '../../db/client.ts';
import { Prisma } from '../../db/generated/client.ts';
import { badUserInput } from '../errors.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { afterSql, orderSql, type SortKey } from '../runs/run-query.sql.ts';
import { toRun } from '../runs/runs.service.ts';
import { assertPageSize, connectionOf } from '../pagination.ts';
import type { LeaderboardFilter, LeaderboardOrder } from './leaderboard.input.ts';
import type { LeaderboardConnection } from './leaderboard.type.ts';

export interface LeaderboardArgs {
  first: number;
  after?: string | null;
  filter?: LeaderboardFilter | null;
  orderBy?: LeaderboardOrder | null;
}

/** Sort keys over the ranked groups, aliased `r`: one row per configuration. */
function leaderboardSortKey(order: LeaderboardOrder | null | undefined): SortKey {
  const descending = (order?.direction ?? 'DESC') === 'DESC';
  if (order?.field && order.metricKey) {
    throw badUserInput('orderBy', 'give either field or metricKey, not both');
  }
  if (order?.metricKey) {
    return {
      expression: Prisma.sql`r.metric`,
      type: 'float8',
      descending,
      metricKey: order.metricKey,
    };
  }
  if (order?.field === 'RUN_COUNT') {
    return {
      expression: Prisma.sql`r.run_count::float8`,
      type: 'float8',
      descending,
      metricKey: null,
    };
  }
  return {
    expression: Prisma.sql`r.finished_at`,
    type: 'timestamptz',
    descending,
    metricKey: null,
  };
}

function filterSql(filter: LeaderboardFilter | null | undefined): Prisma.Sql {
  const parts = [Prisma.sql`r.status = 'SUCCEEDED'::"RunStatus"`];
  if (filter?.kind?.length) parts.push(Prisma.sql`e.kind = ANY(${filter.kind}::text[])`);
  if (filter?.tags?.length) parts.push(Prisma.sql`e.tags @> ${filter.tags}::text[]`);
  return Prisma.join(parts, ' AND ');
}

/**
 * Speed columns the leaderboard shows from a run's latest benchmark row when it has one (see the
 * resolver's `speed`), by the metric key that names them otherwise; sorting reads the same source.
 */
const BENCHMARK_COLUMNS: Readonly<Record<string, Prisma.Sql>> = {
  decode_tok_s: Prisma.sql`b.decode_tok_s`,
  speedup: Prisma.sql`b.speedup`,
  bound: Prisma.sql`b.bound`,
  efficiency: Prisma.sql`b.efficiency`,
};

/** The ordering metric of run `r` and the joins it needs. */
function metricSql(metricKey: string | null): { joins: Prisma.Sql; metric: Prisma.Sql } {
  if (!metricKey) return { joins: Prisma.empty, metric: Prisma.sql`NULL::float8` };
  const summary = Prisma.sql`LEFT JOIN run_metric_summary s ON s.run_id = r.id AND s.key = ${metricKey}`;
  const column = Object.hasOwn(BENCHMARK_COLUMNS, metricKey)
    ? BENCHMARK_COLUMNS[metricKey]
    : undefined;
  if (!column) return { joins: summary, metric: Prisma.sql`s.last_value` };
  return {
    joins: Prisma.sql`${summary}
      LEFT JOIN LATERAL (
        SELECT b.id, ${column}::float8 AS value FROM benchmark b WHERE b.run_id = r.id
        ORDER BY b.created_at DESC, b.id DESC LIMIT 1
      ) lb ON TRUE`,
    metric: Prisma.sql`CASE WHEN lb.id IS NULL THEN s.last_value ELSE lb.value END`,
  };
}

/**
 * Succeeded runs grouped by (kind, config hash), each group ranked so its first run is the
 * representative: best on the ordering metric when there is one, then the latest finished.
 */
function rankedSql(key: SortKey, filter: LeaderboardFilter | null | undefined): Prisma.Sql {
  const { joins: metricJoin, metric } = metricSql(key.metricKey);
  const best = key.descending ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  return Prisma.sql`
    SELECT r.id, r.finished_at, e.kind, e.config_hash, ${metric} AS metric,
      row_number() OVER (PARTITION BY e.kind, e.config_hash
        ORDER BY ${metric} ${best} NULLS LAST, r.finished_at DESC NULLS LAST, r.id DESC) AS rank,
      count(*) OVER (PARTITION BY e.kind, e.config_hash)::int AS run_count
    FROM run r JOIN experiment e ON e.id = r.experiment_id ${metricJoin}
    WHERE ${filterSql(filter)}`;
}

/**
 * A page of configurations that finished, sorted in SQL with keyset cursors on (sort value,
 * representative run id), which is unique per configuration. The runs are ranked once for both
 * the page and `totalCount` (the CTE is computed once and read twice).
 */
export async function listLeaderboard(
  db: Db,
  args: LeaderboardArgs,
): Promise<LeaderboardConnection> {
  assertPageSize(args.first);
  const key = leaderboardSortKey(args.orderBy);
  const after = args.after ? decodeCursor(args.after, 'after') : null;
  const keyset = after ? afterSql(key, after.value, after.id) : Prisma.sql`TRUE`;
  const rows = await db.$queryRaw<
    { id: string | null; run_count: number | null; sort: Date | number | null; total: number }[]
  >`
    WITH groups AS (SELECT * FROM (${rankedSql(key, args.filter)}) r WHERE r.rank = 1)
    SELECT r.id, r.run_count, ${key.expression} AS sort, counted.total
    FROM (SELECT count(*)::int AS total FROM groups) counted
    LEFT JOIN LATERAL (
      SELECT r.* FROM groups r WHERE ${keyset} ORDER BY ${orderSql(key)} LIMIT ${args.first + 1}
    ) r ON TRUE
    ORDER BY ${orderSql(key)}`;
  const page = rows.flatMap(({ id, run_count, sort }) =>
    id === null ? [] : [{ id, run_count: run_count ?? 0, sort }],
  );
  const shown = page.slice(0, args.first);
  const runs = await db.run.findMany({
    where: { id: { in: shown.map((row) => row.id) } },
    include: { experiment: true },
  });
  const byId = new Map(runs.map((run) => [run.id, run]));
  const edges = shown.flatMap(({ id, run_count, sort }) => {
    const run = byId.get(id);
    if (!run) return []; // deleted between the two reads
    const value = sort instanceof Date ? sort.toISOString() : sort;
    const node = {
      kind: run.experiment.kind,
      configHash: run.experiment.configHash,
      config: run.experiment.config,
      runCount: run_count,
      run: toRun(run),
    };
    return [{ cursor: encodeCursor({ value, id }), node }];
  });
  return connectionOf(edges, {
    totalCount: rows[0]?.total ?? 0,
    hasNextPage: page.length > args.first,
    hasPreviousPage: after !== null,
  });
}
