import { describe, expect, it } from 'vitest';
import { runPlatformBenchmark } from '../../api/src/bench/platform-benchmark.ts';
import { databaseTargets } from '../../test/support/test-database.ts';

// Shape only, on a tiny database: the figures themselves belong in BENCHMARKS.md, not in tests.
describe('the platform benchmark', () => {
  it('seeds, pages through runs, finds runs by text and ingests metrics, reporting finite figures', async () => {
    const adminUrl = new URL(databaseTargets()[0]!.templateUrl);
    adminUrl.pathname = '/postgres';
    const result = await runPlatformBenchmark({
      runs: 120,
      metricKeys: 8,
      requests: 5,
      ingestSeconds: 0.3,
      serverUrl: adminUrl.toString(),
      log: () => {},
    });
    expect(result.runs).toBe(120);
    for (const timed of [result.runsPage, result.runsSearch]) {
      expect(timed.requests).toBe(5);
      for (const ms of [timed.p50Ms, timed.p95Ms, timed.maxMs]) {
        expect(Number.isFinite(ms) && ms > 0).toBe(true);
      }
    }
    expect(result.ingestion.points).toBeGreaterThanOrEqual(result.ingestion.batchSize);
    expect(result.ingestion.pointsPerSecond).toBeGreaterThan(0);
  }, 120_000);
});
