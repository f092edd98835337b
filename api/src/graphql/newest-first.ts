import { badUserInput } from './errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { assertPageSize, connectionOf } from './pagination.ts';

interface Dated {
  id: string;
  createdAt: Date;
}

/** The (createdAt, id) an `after` cursor of a newest-first list holds, or null for none. */
export function decodeDateCursor(
  after: string | null | undefined,
): { createdAt: Date; id: string } | null {
  if (!after) return null;
  const cursor = decodeCursor(after, 'after');
  if (typeof cursor.value !== 'string' || Number.isNaN(Date.parse(cursor.value))) {
    throw badUserInput('after', 'is not a cursor of this list; pass an endCursor from pageInfo');
  }
  return { createdAt: new Date(cursor.value), id: cursor.id };
}

/** The Prisma condition "after this cursor" of a list ordered by (createdAt, id) descending. */
export function newestFirstWhere(after: string | null | undefined) {
  const cursor = decodeDateCursor(after);
  if (!cursor) return {};
  const { createdAt, id } = cursor;
  return { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] };
}

export const NEWEST_FIRST = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

/**
 * A connection over rows read newest first, one beyond the page (`rows`), mapped to nodes.
 * Lists small enough to count in full: models, datasets.
 */
export function newestFirstConnection<Row extends Dated, Node>(
  rows: Row[],
  args: { first: number; after?: string | null },
  totalCount: number,
  toNode: (row: Row) => Node,
) {
  const edges = rows.slice(0, args.first).map((row) => ({
    cursor: encodeCursor({ value: row.createdAt.toISOString(), id: row.id }),
    node: toNode(row),
  }));
  return connectionOf(edges, {
    totalCount,
    hasNextPage: rows.length > args.first,
    hasPreviousPage: Boolean(args.after),
  });
}

/** A table that can list newest first: the part of a Prisma delegate this module uses. */
interface NewestFirstTable<Row> {
  findMany(query: {
    where: ReturnType<typeof newestFirstWhere>;
    orderBy: typeof NEWEST_FIRST;
    take: number;
  }): Promise<Row[]>;
  count(): Promise<number>;
}

/** One page of `table`, newest first, as a connection of `toNode`'s nodes. */
export async function listNewestFirst<Row extends Dated, Node>(
  table: NewestFirstTable<Row>,
  args: { first: number; after?: string | null },
  toNode: (row: Row) => Node,
) {
  assertPageSize(args.first);
  const [rows, totalCount] = await Promise.all([
    table.findMany({
      where: newestFirstWhere(args.after),
      orderBy: NEWEST_FIRST,
      take: args.first + 1,
    }),
    table.count(),
  ]);
  return newestFirstConnection(rows, args, totalCount, toNode);
}
