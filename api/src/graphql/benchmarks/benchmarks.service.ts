import type { Db } from '../../db/client.ts';
import { Prisma, type Benchmark as BenchmarkRow } from '../../db/generated/client.ts';
import { badUserInput } from '../errors.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { isUuid } from '../ids.ts';
import { assertPageSize, connectionOf } from '../pagination.ts';
import { afterSql, orderSql, type SortKey } from '../runs/run-query.sql.ts';
import type { BenchmarkFilter, BenchmarkOrder } from './benchmark-filter.input.ts';
import type { Benchmark, BenchmarkConnection } from './benchmark.type.ts';

export function toBenchmark(row: BenchmarkRow): Benchmark {
  return row;
}

// The benchmark table is aliased `r` so the runs' keyset helpers (which page on r.id) apply.
const SORTS: Record<string, Pick<SortKey, 'expression' | 'type'>> = {
  CREATED_AT: { expression: Prisma.sql`r.created_at`, type: 'timestamptz' },
  DECODE_TOK_S: { expression: Prisma.sql`r.decode_tok_s`, type: 'float8' },
  SPEEDUP: { expression: Prisma.sql`r.speedup`, type: 'float8' },
  EFFICIENCY: { expression: Prisma.sql`r.efficiency`, type: 'float8' },
};

function uuids(values: readonly string[], field: string): string[] {
  const bad = values.findIndex((value) => !isUuid(value));
  if (bad >= 0) throw badUserInput(`${field}.${bad}`, 'is not an id (a UUID)');
  return [...values];
}

function filterSql(filter: BenchmarkFilter | null | undefined): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filter?.runId?.length) {
    parts.push(Prisma.sql`r.run_id = ANY(${uuids(filter.runId, 'filter.runId')}::uuid[])`);
  }
  if (filter?.modelId?.length) {
    parts.push(Prisma.sql`r.model_id = ANY(${uuids(filter.modelId, 'filter.modelId')}::uuid[])`);
  }
  if (filter?.experts?.length) parts.push(Prisma.sql`r.experts = ANY(${filter.experts}::int[])`);
  if (filter?.topK?.length) parts.push(Prisma.sql`r.top_k = ANY(${filter.topK}::int[])`);
  if (filter?.dtype?.length) parts.push(Prisma.sql`r.dtype = ANY(${filter.dtype}::text[])`);
  return parts.length ? Prisma.join(parts, ' AND ') : Prisma.sql`TRUE`;
}

export interface BenchmarkListArgs {
  first: number;
  after?: string | null;
  filter?: BenchmarkFilter | null;
  orderBy?: BenchmarkOrder | null;
}

/** A page of benchmark rows, filtered and sorted in SQL, with keyset cursors on (value, id). */
export async function listBenchmarks(
  db: Db,
  args: BenchmarkListArgs,
): Promise<BenchmarkConnection> {
  assertPageSize(args.first);
  const sort = SORTS[args.orderBy?.field ?? 'CREATED_AT']!;
  const key: SortKey = {
    ...sort,
    descending: (args.orderBy?.direction ?? 'DESC') === 'DESC',
    metricKey: null,
  };
  const where = filterSql(args.filter);
  const after = args.after ? decodeCursor(args.after, 'after') : null;
  const keyset = after ? afterSql(key, after.value, after.id) : Prisma.sql`TRUE`;
  const [page, counted] = await Promise.all([
    db.$queryRaw<{ id: string; sort: Date | number | null }[]>`
      SELECT r.id, ${key.expression} AS sort FROM benchmark r
      WHERE ${where} AND ${keyset}
      ORDER BY ${orderSql(key)}
      LIMIT ${args.first + 1}`,
    db.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM benchmark r WHERE ${where}`,
  ]);
  const shown = page.slice(0, args.first);
  const rows = await db.benchmark.findMany({ where: { id: { in: shown.map((row) => row.id) } } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  const edges = shown.flatMap(({ id, sort }) => {
    const row = byId.get(id);
    if (!row) return [];
    const value = sort instanceof Date ? sort.toISOString() : sort;
    return [{ cursor: encodeCursor({ value, id }), node: toBenchmark(row) }];
  });
  return connectionOf(edges, {
    totalCount: counted[0]?.count ?? 0,
    hasNextPage: page.length > args.first,
    hasPreviousPage: after !== null,
  });
}

/** Every benchmark row of each run, newest first, for many runs in one query. */
export async function benchmarksByRun(db: Db, runIds: readonly string[]): Promise<Benchmark[][]> {
  const rows = await db.benchmark.findMany({
    where: { runId: { in: [...runIds] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  const byRun = new Map<string, Benchmark[]>(runIds.map((id) => [id, []]));
  for (const row of rows) byRun.get(row.runId)?.push(toBenchmark(row));
  return runIds.map((id) => byRun.get(id) ?? []);
}
