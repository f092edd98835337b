import type { Db } from '../../db/client.ts';
import { Prisma } from '../../db/generated/client.ts';
import { badUserInput } from '../errors.ts';
import { encodeCursor } from '../cursor.ts';
import { decodeDateCursor } from '../newest-first.ts';
import { toRun } from '../runs/runs.service.ts';
import { assertPageSize, connectionOf } from '../pagination.ts';
import type { ExperimentFilter } from './experiment-filter.input.ts';
import type { ExperimentConnection } from './experiment.type.ts';

const MAX_NAME_FILTER_LENGTH = 200;

export interface ExperimentListArgs {
  first: number;
  after?: string | null;
  filter?: ExperimentFilter | null;
}

/** The SQL condition of a filter over `experiment e`. */
function filterSql(filter: ExperimentFilter | null | undefined): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filter?.kind?.length) parts.push(Prisma.sql`e.kind = ANY(${filter.kind}::text[])`);
  if (filter?.tags?.length) parts.push(Prisma.sql`e.tags @> ${filter.tags}::text[]`);
  if (filter?.nameContains) {
    if (filter.nameContains.length > MAX_NAME_FILTER_LENGTH) {
      throw badUserInput(
        'filter.nameContains',
        `is longer than ${MAX_NAME_FILTER_LENGTH} characters`,
      );
    }
    const literal = filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`);
    parts.push(Prisma.sql`e.name ILIKE ${`%${literal}%`}`);
  }
  return parts.length ? Prisma.join(parts, ' AND ') : Prisma.sql`TRUE`;
}

interface PageRow {
  id: string;
  created_at: Date;
  run_count: number;
  latest_run_id: string | null;
}

/**
 * A page of experiments, newest first, with keyset cursors on (createdAt, id); each with its run
 * count and most recently queued run, computed for the page's rows only.
 */
export async function listExperiments(
  db: Db,
  args: ExperimentListArgs,
): Promise<ExperimentConnection> {
  assertPageSize(args.first);
  const where = filterSql(args.filter);
  const after = decodeDateCursor(args.after);
  const keyset = after
    ? Prisma.sql`(e.created_at, e.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`
    : Prisma.sql`TRUE`;
  const [page, counted] = await Promise.all([
    db.$queryRaw<PageRow[]>`
      WITH page AS (
        SELECT e.id, e.created_at FROM experiment e
        WHERE ${where} AND ${keyset}
        ORDER BY e.created_at DESC, e.id DESC
        LIMIT ${args.first + 1}
      )
      SELECT page.id, page.created_at,
        (SELECT count(*)::int FROM run r WHERE r.experiment_id = page.id) AS run_count,
        (SELECT r.id FROM run r WHERE r.experiment_id = page.id
         ORDER BY r.queued_at DESC, r.id DESC LIMIT 1) AS latest_run_id
      FROM page ORDER BY page.created_at DESC, page.id DESC`,
    db.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM experiment e WHERE ${where}`,
  ]);
  const shown = page.slice(0, args.first);
  const latestRunIds = shown.flatMap((row) => (row.latest_run_id ? [row.latest_run_id] : []));
  const [experiments, latestRuns] = await Promise.all([
    db.experiment.findMany({ where: { id: { in: shown.map((row) => row.id) } } }),
    db.run.findMany({ where: { id: { in: latestRunIds } }, include: { experiment: true } }),
  ]);
  const experimentsById = new Map(experiments.map((row) => [row.id, row]));
  const runsById = new Map(latestRuns.map((row) => [row.id, row]));
  const edges = shown.flatMap((row) => {
    const experiment = experimentsById.get(row.id);
    if (!experiment) return []; // deleted between the reads
    const run = row.latest_run_id ? runsById.get(row.latest_run_id) : undefined;
    return [
      {
        cursor: encodeCursor({ value: row.created_at.toISOString(), id: row.id }),
        node: { ...experiment, runCount: row.run_count, latestRun: run ? toRun(run) : null },
      },
    ];
  });
  return connectionOf(edges, {
    totalCount: counted[0]?.count ?? 0,
    hasNextPage: page.length > args.first,
    hasPreviousPage: after !== null,
  });
}
