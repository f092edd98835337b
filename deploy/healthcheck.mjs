#!/usr/bin/env node
// The containers' health checks, in plain JavaScript (nothing to transpile), none of which opens a
// GPU device of its own:
//   node deploy/healthcheck.mjs api      the API answers /healthz and its database answers a query
//   node deploy/healthcheck.mjs worker   this container's worker heartbeats, on the adapter kind
//                                        FACTORLAB_WORKER_ADAPTER asks for (gpu or cpu)
//   node deploy/healthcheck.mjs web      the dashboard answers
// Exits 0 when healthy, else 1 with one line saying what is wrong.
import os from 'node:os';

const DEFAULT_LEASE_MS = 60_000;

function databaseUrl() {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return url;
}

async function query(sql, params = []) {
  // Loaded here: the web image has no pg, and its check needs none.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function answers(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}

async function checkApi() {
  await answers(`http://127.0.0.1:${process.env.FACTORLAB_API_PORT || 4000}/healthz`);
  await query('SELECT 1');
}

async function checkWorker() {
  const leaseMs = Number(process.env.FACTORLAB_WORKER_LEASE_MS) || DEFAULT_LEASE_MS;
  const [worker] = await query(
    `SELECT adapter, extract(epoch FROM now() - last_seen_at) * 1000 AS silent_ms
     FROM worker WHERE host = $1 AND stopped_at IS NULL ORDER BY started_at DESC LIMIT 1`,
    [os.hostname()],
  );
  if (!worker) throw new Error(`no running worker registered from host ${os.hostname()}`);
  if (Number(worker.silent_ms) > leaseMs) {
    throw new Error(`the worker last heartbeat ${Math.round(worker.silent_ms / 1000)} s ago`);
  }
  const wanted = (process.env.FACTORLAB_WORKER_ADAPTER || 'any').trim().toLowerCase();
  const found = worker.adapter?.isCpu ? 'cpu' : 'gpu';
  if (wanted !== 'any' && wanted !== found) {
    throw new Error(`the worker computes on a ${found} adapter, not the ${wanted} one it wants`);
  }
}

async function checkWeb() {
  await answers(`http://127.0.0.1:${process.env.PORT || process.env.FACTORLAB_WEB_PORT || 3000}/`);
}

const CHECKS = { api: checkApi, worker: checkWorker, web: checkWeb };
const service = process.argv[2];
const check = CHECKS[service];
if (!check) {
  console.error(`usage: node deploy/healthcheck.mjs ${Object.keys(CHECKS).join('|')}`);
  process.exit(2);
}
try {
  await check();
} catch (error) {
  console.error(`unhealthy ${service}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
