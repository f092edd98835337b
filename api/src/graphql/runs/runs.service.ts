import type { Db } from '../../db/client.ts';
import { Prisma } from '../../db/generated/client.ts';
import { badUserInput } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { assertPageSize, connectionOf } from '../pagination.ts';
import type { RunFilter, RunOrder } from './run-filter.input.ts';
import { afterSql, filterSql, orderSql, sortKey } from './run-query.sql.ts';
import type { MetricValue, Run, RunConnection } from './run.type.ts';

type RunWithExperiment = Prisma.RunGetPayload<{ include: { experiment: true } }>;

export function toRun(row: RunWithExperiment): Run {
  return {
    id: row.id,
    experimentId: row.experimentId,
    name: row.experiment.name,
    kind: row.experiment.kind,
    status: row.status,
    priority: row.priority,
    attempt: row.attempt,
    progress: row.progress,
    error: row.error,
    device: row.device,
    config: row.experiment.config,
    tags: row.experiment.tags,
    queuedAt: row.queuedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

export async function findRun(db: Db, id: string): Promise<Run | null> {
  if (!isUuid(id)) throw badUserInput('id', 'is not a run id (a UUID)');
  const row = await db.run.findUnique({ where: { id }, include: { experiment: true } });
  return row ? toRun(row) : null;
}

export interface RunListArgs {
  first: number;
  after?: string | null;
  filter?: RunFilter | null;
  orderBy?: RunOrder | null;
}

/**
 * A page of runs, filtered and sorted in SQL, with keyset cursors stable under any sort. Every run
 * has its experiment; the join is LEFT so Postgres drops it when no filter reads the experiment.
 */
export async function listRuns(db: Db, args: RunListArgs): Promise<RunConnection> {
  assertPageSize(args.first);
  const key = sortKey(args.orderBy);
  const where = filterSql(args.filter);
  const after = args.after ? decodeCursor(args.after, 'after') : null;
  const keyset = after ? afterSql(key, after.value, after.id) : Prisma.sql`TRUE`;
  const metricJoin = key.metricKey
    ? Prisma.sql`LEFT JOIN run_metric_summary s ON s.run_id = r.id AND s.key = ${key.metricKey}`
    : Prisma.empty;
  const [page, counted] = await Promise.all([
    db.$queryRaw<{ id: string; sort: Date | number | null }[]>`
      SELECT r.id, ${key.expression} AS sort
      FROM run r LEFT JOIN experiment e ON e.id = r.experiment_id ${metricJoin}
      WHERE ${where} AND ${keyset}
      ORDER BY ${orderSql(key)}
      LIMIT ${args.first + 1}`,
    db.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM run r LEFT JOIN experiment e ON e.id = r.experiment_id
      WHERE ${where}`,
  ]);
  const shown = page.slice(0, args.first);
  const rows = await db.run.findMany({
    where: { id: { in: shown.map((row) => row.id) } },
    include: { experiment: true },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const edges = shown.flatMap(({ id, sort }) => {
    const row = byId.get(id);
    if (!row) return []; // deleted between the two reads
    const value = sort instanceof Date ? sort.toISOString() : sort;
    return [{ cursor: encodeCursor({ value, id }), node: toRun(row) }];
  });
  return connectionOf(edges, {
    totalCount: counted[0]?.count ?? 0,
    hasNextPage: page.length > args.first,
    hasPreviousPage: after !== null,
  });
}

/** Latest, lowest and highest value of every metric of each run, for many runs in one query. */
export async function latestMetricsByRun(
  db: Db,
  runIds: readonly string[],
): Promise<MetricValue[][]> {
  const rows = await db.runMetricSummary.findMany({
    where: { runId: { in: [...runIds] } },
    orderBy: { key: 'asc' },
  });
  const byRun = new Map<string, MetricValue[]>(runIds.map((id) => [id, []]));
  for (const row of rows) {
    byRun.get(row.runId)?.push({
      key: row.key,
      step: row.lastStep,
      value: row.lastValue,
      min: row.minValue,
      max: row.maxValue,
    });
  }
  return runIds.map((id) => byRun.get(id) ?? []);
}
