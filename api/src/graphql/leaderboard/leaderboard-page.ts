import type { Db } from '../../db/client.ts';
import type { Benchmark } from '../benchmarks/benchmark.type.ts';
import { benchmarksByRun } from '../benchmarks/benchmarks.service.ts';
import type { MetricValue } from '../runs/run.type.ts';
import { latestMetricsByRun } from '../runs/runs.service.ts';
import { GenerationCache } from './generation-cache.ts';
import { listLeaderboard, type LeaderboardArgs } from './leaderboard.service.ts';
import type { LeaderboardConnection } from './leaderboard.type.ts';

/** A leaderboard page and, in the order of its edges, each row's metrics and benchmarks. */
export interface LeaderboardPage {
  connection: LeaderboardConnection;
  metrics: MetricValue[][];
  benchmarks: Benchmark[][];
}

/** Pages kept per database; a dashboard asks for a handful of sorts and filters. */
const MAX_CACHED_PAGES = 200;

const caches = new WeakMap<Db, GenerationCache<LeaderboardPage>>();

function cacheOf(db: Db): GenerationCache<LeaderboardPage> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new GenerationCache(MAX_CACHED_PAGES);
    caches.set(db, cache);
  }
  return cache;
}

/**
 * The leaderboard's generation: bumped in the same transaction as every change the leaderboard
 * can show, by triggers (migration 20261206230000_leaderboard_generation).
 */
export async function readLeaderboardGeneration(db: Db): Promise<bigint> {
  // Through the client rather than $queryRaw, which compiles its SQL on every call: half the CPU.
  const row = await db.leaderboardGeneration.findUnique({
    where: { id: true },
    select: { value: true },
  });
  if (!row) {
    throw new Error(
      'the leaderboard_generation table has no row: migrate the database (lab db migrate)',
    );
  }
  return row.value;
}

function cacheKey(args: LeaderboardArgs): string {
  return JSON.stringify([
    args.first,
    args.after ?? null,
    args.filter?.kind ?? null,
    args.filter?.tags ?? null,
    args.orderBy?.field ?? null,
    args.orderBy?.metricKey ?? null,
    args.orderBy?.direction ?? null,
  ]);
}

async function loadPage(db: Db, args: LeaderboardArgs): Promise<LeaderboardPage> {
  const connection = await listLeaderboard(db, args);
  const runIds = connection.edges.map((edge) => edge.node.run.id);
  const [metrics, benchmarks] = await Promise.all([
    latestMetricsByRun(db, runIds),
    benchmarksByRun(db, runIds),
  ]);
  return { connection, metrics, benchmarks };
}

/**
 * A leaderboard page, ranked once per database generation: every request reads the generation
 * (one row) and reuses the page ranked for it, so many API processes on one database each answer
 * from their cache and none serves a page older than the last committed change.
 */
export async function leaderboardPage(db: Db, args: LeaderboardArgs): Promise<LeaderboardPage> {
  const generation = await readLeaderboardGeneration(db);
  return cacheOf(db).get(generation, cacheKey(args), () => loadPage(db, args));
}
