import type { Command } from 'commander';
import { integer } from './flags.ts';

export async function benchPlatformCommand(options: {
  runs: number;
  metrics: number;
  requests: number;
  json?: boolean;
}): Promise<void> {
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
      'runs page latency over many runs and metric ingestion rate (DATABASE_URL or embedded)',
    )
    .option('--runs <n>', 'runs to seed', integer, 10_000)
    .option('--metrics <n>', 'summary metrics per run', integer, 20)
    .option('--requests <n>', 'runs pages to time', integer, 200)
    .option('--json', 'print one JSON object')
    .action(benchPlatformCommand);
}
