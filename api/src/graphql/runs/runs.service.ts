import type { Db } from '../../db/client.ts';
import type { Prisma } from '../../db/generated/client.ts';
import { badUserInput } from '../errors.ts';
import { decodeRunCursor, encodeRunCursor } from './cursor.ts';
import type { MetricValue, Run, RunConnection } from './run.type.ts';

export const MAX_PAGE_SIZE = 100;

type RunWithExperiment = Prisma.RunGetPayload<{ include: { experiment: true } }>;

function toRun(row: RunWithExperiment): Run {
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findRun(db: Db, id: string): Promise<Run | null> {
  if (!UUID.test(id)) throw badUserInput('id', 'is not a run id (a UUID)');
  const row = await db.run.findUnique({ where: { id }, include: { experiment: true } });
  return row ? toRun(row) : null;
}

export async function listRuns(
  db: Db,
  args: { first: number; after?: string | null },
): Promise<RunConnection> {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
    throw badUserInput('first', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const after = args.after ? decodeRunCursor(args.after, 'after') : null;
  const where: Prisma.RunWhereInput = after
    ? {
        OR: [
          { queuedAt: { lt: after.queuedAt } },
          { queuedAt: after.queuedAt, id: { lt: after.id } },
        ],
      }
    : {};
  const [rows, totalCount] = await Promise.all([
    db.run.findMany({
      where,
      include: { experiment: true },
      orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
      take: args.first + 1,
    }),
    db.run.count(),
  ]);
  const page = rows.slice(0, args.first);
  const edges = page.map((row) => ({ cursor: encodeRunCursor(row), node: toRun(row) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > args.first,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
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
