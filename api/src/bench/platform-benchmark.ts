import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb } from '../db/client.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { migrateDatabase } from '../queue/migrate-database.ts';
import { startApiServer } from '../graphql/server.ts';
import { writeMetricPoints } from '../worker/metric-writer.ts';
import { seedRuns } from './seed-runs.ts';

export interface PlatformBenchmarkOptions {
  runs: number;
  metricKeys: number;
  requests: number;
  /** How long to keep writing metric batches. */
  ingestSeconds: number;
  /** A PostgreSQL server to benchmark on; an embedded one in a temporary folder otherwise. */
  serverUrl: string | undefined;
  log: (message: string) => void;
}

export interface PlatformBenchmarkResult {
  database: string;
  runs: number;
  metricKeys: number;
  /** Runs page: 50 rows filtered by status and a metric bound, sorted by another metric. */
  runsPage: Latencies;
  /**
   * Runs page as the dashboard's text box asks for it: 20 rows matching a text (an id's first
   * digits, an experiment name, a config value, or nothing), newest first, with the total count.
   */
  runsSearch: Latencies;
  ingestion: { points: number; batchSize: number; seconds: number; pointsPerSecond: number };
}

interface Latencies {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

const RUNS_PAGE = `query($after: String) {
  runs(first: 50, after: $after,
       filter: { status: [SUCCEEDED], metric: [{ key: "m3", gt: 0.2 }] },
       orderBy: { metricKey: "m7", direction: DESC }) {
    totalCount
    edges { node { id name status config metrics { key value } } }
    pageInfo { endCursor }
  }
}`;

const RUNS_SEARCH = `query($text: String!) {
  runs(first: 20, filter: { text: $text }) {
    totalCount
    edges { node { id name kind status progress queuedAt metrics { key value } } }
  }
}`;

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function latencies(sorted: number[]): Latencies {
  return {
    requests: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    maxMs: sorted.at(-1)!,
  };
}

/** A fresh database for a benchmark, on `serverUrl` or an embedded cluster, dropped afterwards. */
export async function withBenchDatabase<T>(
  options: { serverUrl: string | undefined },
  use: (url: string, label: string) => Promise<T>,
): Promise<T> {
  let adminUrl = options.serverUrl;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let dataDir: string | null = null;
  if (!adminUrl) {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'factorlab-bench-'));
    const embedded = await startEmbeddedPostgres(dataDir, 54000 + Math.floor(Math.random() * 1000));
    adminUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const name = `factorlab_bench_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await use(
      url.toString(),
      options.serverUrl ? 'PostgreSQL server' : 'embedded PostgreSQL',
    );
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await stopEmbedded?.();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The platform's targets, measured from the API process on loopback: a filtered, metric-sorted
 * runs page over many runs, a runs page found by text, and metric ingestion through the worker's
 * batched writer.
 */
export async function runPlatformBenchmark(
  options: PlatformBenchmarkOptions,
): Promise<PlatformBenchmarkResult> {
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
    try {
      options.log(`timing ${options.requests} runs pages`);
      const timings: number[] = [];
      let after: string | null = null;
      for (let i = 0; i < options.requests + 5; i++) {
        const started = performance.now();
        const response = await fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: RUNS_PAGE, variables: { after } }),
        });
        const body = (await response.json()) as {
          errors?: unknown;
          data?: { runs: { pageInfo: { endCursor: string | null } } };
        };
        const elapsed = performance.now() - started;
        if (body.errors) throw new Error(`runs page failed: ${JSON.stringify(body.errors)}`);
        if (i >= 5) timings.push(elapsed); // the first few warm caches and pools
        // Walk a few pages deep, then start over, as a user paging through would.
        after = i % 10 === 9 ? null : (body.data?.runs.pageInfo.endCursor ?? null);
      }
      timings.sort((a, b) => a - b);

      options.log(`timing ${options.requests} runs pages filtered by text`);
      const { rows: middle } = await sql.query<{ id: string }>(
        'SELECT id FROM run ORDER BY queued_at DESC OFFSET $1 LIMIT 1',
        [Math.floor(options.runs / 2)],
      );
      const texts = [middle[0]!.id.slice(0, 8), 'bench 77', '"seed": 4242', 'no run says this'];
      const searchTimings: number[] = [];
      for (let i = 0; i < options.requests + 5; i++) {
        const started = performance.now();
        const response = await fetch(`${api.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: RUNS_SEARCH,
            variables: { text: texts[i % texts.length] },
          }),
        });
        const body = (await response.json()) as { errors?: unknown };
        const elapsed = performance.now() - started;
        if (body.errors) throw new Error(`runs search failed: ${JSON.stringify(body.errors)}`);
        if (i >= 5) searchTimings.push(elapsed);
      }
      searchTimings.sort((a, b) => a - b);

      options.log('timing metric ingestion');
      const { rows } = await sql.query<{ id: string }>('SELECT id FROM run LIMIT 1');
      const runId = rows[0]!.id;
      const batchSize = 5000;
      const keys = 10;
      let points = 0;
      const started = performance.now();
      const ingestMs = options.ingestSeconds * 1000;
      for (let step = 0; performance.now() - started < ingestMs; step += batchSize / keys) {
        const batch = Array.from({ length: batchSize }, (_, i) => ({
          key: `train/k${i % keys}`,
          step: step + Math.floor(i / keys),
          value: Math.random(),
        }));
        await writeMetricPoints(sql, runId, batch);
        points += batch.length;
      }
      const seconds = (performance.now() - started) / 1000;
      return {
        database: label,
        runs: options.runs,
        metricKeys: options.metricKeys,
        runsPage: latencies(timings),
        runsSearch: latencies(searchTimings),
        ingestion: { points, batchSize, seconds, pointsPerSecond: points / seconds },
      };
    } finally {
      await api.stop();
      await db.$disconnect();
      await sql.end();
    }
  });
}
