import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { createDb } from '../db/client.ts';
import { startApiServer } from '../graphql/server.ts';
import { migrateDatabase } from '../queue/migrate-database.ts';
import { withBenchDatabase } from './platform-benchmark.ts';
import type { LoadRequest, LoadResult } from './load-client.worker.ts';
import { seedRuns } from './seed-runs.ts';

export interface LoadBenchmarkOptions {
  runs: number;
  metricKeys: number;
  /** Concurrent clients of the leaderboard load. */
  connections: number;
  /** Seconds of each autocannon load. */
  seconds: number;
  /** A PostgreSQL server to benchmark on; an embedded one in a temporary folder otherwise. */
  serverUrl: string | undefined;
  log: (message: string) => void;
}

export interface Latencies {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface LoadBenchmarkResult {
  database: string;
  runs: number;
  leaderboard: Latencies & {
    connections: number;
    requests: number;
    requestsPerSecond: number;
    /** Connection errors and timeouts, non-2xx answers, and answers carrying GraphQL errors. */
    errors: number;
  };
  flood: {
    /** The cost the API priced the flooding query at (its limit is MAX_QUERY_COST). */
    cost: number;
    connections: number;
    /** The cheap query alone and under the flood, alternated: [quiet, flooded, quiet, flooded]. */
    phases: { flooded: boolean; latencies: Latencies }[];
    /** Flooded over quiet p50 of the cheap query, over both rounds. */
    slowdown: number;
  };
}

/** The dashboard's leaderboard page: 20 configurations, their quality and speed columns. */
export const LEADERBOARD_QUERY = `query {
  leaderboard(first: 20) {
    totalCount
    edges { node { kind configHash config runCount
      quality { retention perplexity accuracy }
      speed { decodeTokS speedup bound efficiency }
      run { id name status finishedAt } } }
    pageInfo { endCursor hasNextPage }
  }
}`;

/**
 * Close to the most a viewer may ask in one request: two pages of `first` runs filtered by a
 * metric bound and sorted by another (each a scan over every run's summaries) with every metric
 * of each row, and a leaderboard page of `first` configurations.
 */
export const expensiveQuery = (first: number) => `query {
  a: runs(first: ${first}, filter: { status: [SUCCEEDED], metric: [{ key: "m3", gt: 0.2 }] },
          orderBy: { metricKey: "m7", direction: DESC }) {
    totalCount edges { node { id name config tags metrics { key value min max } } } }
  b: runs(first: ${first}, filter: { metric: [{ key: "m5", lt: 0.9 }] },
          orderBy: { metricKey: "m2", direction: ASC }) {
    totalCount edges { node { id name config tags metrics { key value min max } } } }
  c: leaderboard(first: ${first}) { totalCount edges { node { configHash runCount run { id } } } }
}`;

/** A cheap query a user's page makes meanwhile: one run by id. */
const cheapQuery = (id: string) =>
  JSON.stringify({
    query: `query($id: ID!) { run(id: $id) { id status progress } }`,
    variables: { id },
  });

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function latencies(timings: number[]): Latencies {
  const sorted = [...timings].sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
  };
}

async function postGraphQL(
  url: string,
  body: string,
): Promise<{ errors?: unknown; extensions?: { cost?: { requested: number } } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return (await response.json()) as {
    errors?: unknown;
    extensions?: { cost?: { requested: number } };
  };
}

/** Times `body` posted one after another for `seconds`. */
async function timeSequentially(url: string, body: string, seconds: number): Promise<number[]> {
  const timings: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const started = performance.now();
    const answer = await postGraphQL(url, body);
    if (answer.errors) throw new Error(`cheap query failed: ${JSON.stringify(answer.errors)}`);
    timings.push(performance.now() - started);
  }
  return timings;
}

/**
 * `connections` clients posting `body` back to back for `seconds` (autocannon), from a worker
 * thread: the API under test runs on this thread's event loop.
 */
function load(
  url: string,
  body: string,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const request: LoadRequest = { url, body, connections, seconds };
  // The worker loads TypeScript as this process does (see api/bin/lab.js).
  const script = new URL('./load-client.worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); })`,
    { eval: true, workerData: request },
  );
  return new Promise<LoadResult>((resolve, reject) => {
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the load worker exited (code ${code}) without a result`)),
    );
  });
}

/**
 * The API under load on loopback, with autocannon: the leaderboard at `connections` concurrent
 * clients over `runs` runs (latency percentiles and errors), and a flood of the most expensive
 * query a viewer may send beside a cheap query, whose slowdown the flood causes.
 */
export async function runLoadBenchmark(
  options: LoadBenchmarkOptions,
): Promise<LoadBenchmarkResult> {
  return withBenchDatabase(options, async (url, label) => {
    options.log(`migrating a fresh database on the ${label}`);
    await migrateDatabase(url);
    const sql = new pg.Client({ connectionString: url });
    await sql.connect();
    options.log(`seeding ${options.runs} runs x ${options.metricKeys} summary metrics`);
    await seedRuns(sql, options.runs, options.metricKeys);
    const db = createDb(url);
    const api = await startApiServer(db, {
      host: '127.0.0.1',
      port: 0,
      auth: 'off',
      databaseUrl: url,
    });
    const graphql = `${api.url}/graphql`;
    try {
      const leaderboardBody = JSON.stringify({ query: LEADERBOARD_QUERY });
      const sample = await postGraphQL(graphql, leaderboardBody);
      if (sample.errors) throw new Error(`leaderboard failed: ${JSON.stringify(sample.errors)}`);
      await load(graphql, leaderboardBody, options.connections, 2); // warm-up
      options.log(`leaderboard: ${options.connections} clients for ${options.seconds} s`);
      const board = await load(graphql, leaderboardBody, options.connections, options.seconds);

      // The largest pages the cost limit lets through: the priciest query of this shape.
      let expensiveBody = '';
      let priced: Awaited<ReturnType<typeof postGraphQL>> = {};
      for (let first = 100; first > 0 && !priced.extensions?.cost; first -= 2) {
        expensiveBody = JSON.stringify({ query: expensiveQuery(first) });
        priced = await postGraphQL(graphql, expensiveBody);
        if (priced.errors) priced = {};
      }
      if (!priced.extensions?.cost)
        throw new Error('no page size of the expensive query is accepted');
      const { rows } = await sql.query<{ id: string }>('SELECT id FROM run LIMIT 1');
      const cheap = cheapQuery(rows[0]!.id);
      const floodConnections = 8;
      const phases: LoadBenchmarkResult['flood']['phases'] = [];
      for (const flooded of [false, true, false, true]) {
        options.log(
          `cheap query ${flooded ? `under a flood of ${floodConnections} clients` : 'alone'}`,
        );
        const flood = flooded
          ? load(graphql, expensiveBody, floodConnections, options.seconds + 1)
          : undefined;
        if (flood) await new Promise((resolve) => setTimeout(resolve, 500));
        phases.push({
          flooded,
          latencies: latencies(await timeSequentially(graphql, cheap, options.seconds)),
        });
        await flood;
      }
      const medianOf = (flooded: boolean) =>
        phases
          .filter((phase) => phase.flooded === flooded)
          .reduce((sum, phase) => sum + phase.latencies.p50Ms, 0);
      return {
        database: label,
        runs: options.runs,
        leaderboard: {
          connections: options.connections,
          requests: board.timings.length,
          requestsPerSecond: board.requestsPerSecond,
          ...latencies(board.timings),
          errors: board.errors,
        },
        flood: {
          cost: priced.extensions?.cost?.requested ?? Number.NaN,
          connections: floodConnections,
          phases,
          slowdown: medianOf(true) / medianOf(false),
        },
      };
    } finally {
      await api.stop();
      await db.$disconnect();
      await sql.end();
    }
  });
}
