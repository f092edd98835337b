import type { Command } from 'commander';
import { integer } from './flags.ts';
import { useProductionMode } from './production-mode.ts';

interface BenchPlatformOptions {
  runs: number;
  metrics: number;
  requests: number;
  json?: boolean;
  load?: boolean;
  connections: number;
  seconds: number;
}

/** `lab bench platform --load`: the API under autocannon's load (see load-benchmark.ts). */
async function benchLoad(options: BenchPlatformOptions): Promise<void> {
  const { runLoadBenchmark } = await import('../bench/load-benchmark.ts');
  const result = await runLoadBenchmark({
    runs: options.runs,
    metricKeys: options.metrics,
    connections: options.connections,
    seconds: options.seconds,
    serverUrl: process.env.DATABASE_URL || undefined,
    log: (message) => process.stderr.write(`${message}\n`),
  });
  if (options.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const board = result.leaderboard;
  console.log(`database: ${result.database}, ${result.runs} runs`);
  console.log(
    `leaderboard, ${board.connections} clients: p50 ${ms(board.p50Ms)}, p95 ${ms(board.p95Ms)}, ` +
      `p99 ${ms(board.p99Ms)}, ${board.requests} requests (${Math.round(board.requestsPerSecond)}/s), ` +
      `${board.errors} errors`,
  );
  const { flood } = result;
  for (const phase of flood.phases)
    console.log(
      `cheap query ${phase.flooded ? `under a flood (${flood.connections} clients, cost ${flood.cost})` : 'alone'}: ` +
        `p50 ${ms(phase.latencies.p50Ms)}, p95 ${ms(phase.latencies.p95Ms)}`,
    );
  console.log(`slowdown of the cheap query under the flood (p50): ${flood.slowdown.toFixed(2)}x`);
}

export async function benchPlatformCommand(options: BenchPlatformOptions): Promise<void> {
  useProductionMode(); // the API in-process, as `lab api` runs it
  if (options.load) return benchLoad(options);
  const { runPlatformBenchmark } = await import('../bench/platform-benchmark.ts');
  const result = await runPlatformBenchmark({
    runs: options.runs,
    metricKeys: options.metrics,
    requests: options.requests,
    ingestSeconds: 5,
    serverUrl: process.env.DATABASE_URL || undefined,
    log: (message) => process.stderr.write(`${message}\n`),
  });
  if (options.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const page = result.runsPage;
  console.log(`database: ${result.database}, ${result.runs} runs x ${result.metricKeys} metrics`);
  console.log(
    `runs page (50 rows, filtered, sorted by a metric): p50 ${page.p50Ms.toFixed(1)} ms, ` +
      `p95 ${page.p95Ms.toFixed(1)} ms, max ${page.maxMs.toFixed(1)} ms over ${page.requests} requests`,
  );
  const search = result.runsSearch;
  console.log(
    `runs page found by text (20 rows): p50 ${search.p50Ms.toFixed(1)} ms, ` +
      `p95 ${search.p95Ms.toFixed(1)} ms, max ${search.maxMs.toFixed(1)} ms over ${search.requests} requests`,
  );
  const ingest = result.ingestion;
  console.log(
    `metric ingestion: ${Math.round(ingest.pointsPerSecond)} points/s ` +
      `(${ingest.points} points in batches of ${ingest.batchSize}, ${ingest.seconds.toFixed(1)} s)`,
  );
}

/** `lab bench platform`. */
export function registerBenchPlatform(bench: Command): void {
  bench
    .command('platform')
    .description(
      'runs page latency over many runs (filtered, and found by text) and metric ingestion rate ' +
        '(DATABASE_URL or embedded)',
    )
    .option('--runs <n>', 'runs to seed', integer, 10_000)
    .option('--metrics <n>', 'summary metrics per run', integer, 20)
    .option('--requests <n>', 'runs pages to time', integer, 200)
    .option('--json', 'print one JSON object')
    .option('--load', 'instead: the leaderboard under concurrent clients, and a flood test')
    .option('--connections <n>', 'concurrent leaderboard clients (--load)', integer, 50)
    .option('--seconds <n>', 'seconds of each load (--load)', integer, 10)
    .action(benchPlatformCommand);
}
