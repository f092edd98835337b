import { describe, expect, it } from 'vitest';
import { runLoadBenchmark } from '../../api/src/bench/load-benchmark.ts';
import { EXPENSIVE_QUERY_COST } from '../../api/src/graphql/expensive-query-gate.ts';
import { databaseTargets } from '../../test/support/test-database.ts';

// Shape only, on a tiny database: the figures themselves belong in BENCHMARKS.md, not in tests.
describe('the load benchmark', () => {
  it('loads the leaderboard from a worker thread and times a cheap query beside a flood', async () => {
    const adminUrl = new URL(databaseTargets()[0]!.templateUrl);
    adminUrl.pathname = '/postgres';
    const result = await runLoadBenchmark({
      runs: 200,
      metricKeys: 10,
      connections: 4,
      seconds: 1,
      serverUrl: adminUrl.toString(),
      log: () => {},
    });
    const board = result.leaderboard;
    expect(board.requests).toBeGreaterThan(0);
    expect(board.errors).toBe(0);
    expect(board.requestsPerSecond).toBeGreaterThan(0);
    expect(board.p50Ms).toBeGreaterThan(0);
    expect(board.p99Ms).toBeGreaterThanOrEqual(board.p50Ms);
    expect(result.flood.cost).toBeGreaterThanOrEqual(EXPENSIVE_QUERY_COST);
    expect(result.flood.phases.map((phase) => phase.flooded)).toEqual([false, true, false, true]);
    expect(Number.isFinite(result.flood.slowdown) && result.flood.slowdown > 0).toBe(true);
  }, 120_000);
});
