import type { BenchmarkReport, DeviceInfo } from '@factorlab/gpu';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../api/src/db/client.ts';
import { benchmarkData, recordBenchmark } from '../../api/src/worker/benchmark-record.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import type { TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

const DEVICE: DeviceInfo = {
  vendor: 'mesa',
  architecture: '',
  device: 'llvmpipe',
  description: 'lavapipe',
  backend: 'vulkan',
  isCpu: true,
  features: [],
};

const BASE: BenchmarkReport = {
  batch: 1,
  promptLen: 128,
  genLen: 64,
  prefillTokS: 900,
  decodeTokS: 30,
};

async function succeededRun(db: Db, name: string): Promise<string> {
  const experiment = await db.experiment.create({
    data: {
      name,
      kind: 'selftest',
      config: { name },
      configHash: name,
      runs: { create: { status: 'SUCCEEDED', finishedAt: new Date() } },
    },
    include: { runs: true },
  });
  return experiment.runs[0]!.id;
}

interface Row {
  id: string;
  runId: string;
  experts: number | null;
  decodeTokS: number;
  speedup: number | null;
  efficiency: number | null;
  model: { name: string } | null;
}

const BENCHMARKS = `query($first: Int!, $after: String, $filter: BenchmarkFilter, $orderBy: BenchmarkOrder) {
  benchmarks(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { node { id runId experts decodeTokS speedup efficiency model { name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('benchmark rows from a job report', () => {
  it('derives speedup over dense and efficiency against the bound', () => {
    const row = benchmarkData({ ...BASE, denseDecodeTokS: 20, bound: 2 }, DEVICE);
    expect(row).toMatchObject({ speedup: 1.5, efficiency: 0.5, device: DEVICE });
    expect(benchmarkData({ ...BASE, denseDecodeTokS: 20 }, null)).toMatchObject({
      speedup: 1.5,
      efficiency: null,
    });
    // A bound of 1 leaves nothing to attain: efficiency is undefined, not infinite.
    expect(benchmarkData({ ...BASE, denseDecodeTokS: 20, bound: 1 }, null).efficiency).toBeNull();
  });

  it.each([
    ['batch 0', { batch: 0 }, /batch must be a positive integer/],
    ['fractional experts', { experts: 2.5 }, /experts must be a positive integer/],
    ['NaN decode speed', { decodeTokS: Number.NaN }, /decodeTokS must be a positive number/],
    ['negative latency', { decodeLatencyMs: { p50: -1, p95: 2 } }, /decodeLatencyMs\.p50/],
  ])('refuses %s', (_case, patch, message) => {
    expect(() => benchmarkData({ ...BASE, ...patch }, null)).toThrow(message);
  });
});

describe.each(databaseTargets())('benchmarks on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  it('lists rows filtered and sorted, with cursors, and on their runs', async () => {
    const model = await database.db.registeredModel.create({
      data: {
        name: 'tiny',
        path: '/models/tiny',
        config: {},
        parameterCount: 1,
        bytes: 1,
        sha256: 'x',
      },
    });
    const fast = await succeededRun(database.db, 'fast');
    const slow = await succeededRun(database.db, 'slow');
    const speeds = [40, 25, 30, 35];
    for (const [i, decodeTokS] of speeds.entries()) {
      await recordBenchmark(
        database.db,
        i % 2 === 0 ? fast : slow,
        {
          ...BASE,
          decodeTokS,
          denseDecodeTokS: 20,
          bound: 3,
          experts: 8,
          topK: i % 2 ? 1 : 2,
          modelPath: '/models/tiny',
        },
        DEVICE,
      );
    }
    await recordBenchmark(database.db, slow, { ...BASE, experts: 4 }, DEVICE);

    const seen: Row[] = [];
    let after: string | null = null;
    for (;;) {
      const page: {
        data?: {
          benchmarks: {
            totalCount: number;
            edges: { node: Row }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        } | null;
        errors?: unknown;
      } = await api.gql(BENCHMARKS, {
        first: 2,
        after,
        filter: { experts: [8] },
        orderBy: { field: 'SPEEDUP', direction: 'DESC' },
      });
      expect(page.errors).toBeUndefined();
      expect(page.data!.benchmarks.totalCount).toBe(4);
      seen.push(...page.data!.benchmarks.edges.map((e) => e.node));
      if (!page.data!.benchmarks.pageInfo.hasNextPage) break;
      after = page.data!.benchmarks.pageInfo.endCursor;
    }
    expect(seen.map((row) => row.decodeTokS)).toEqual([40, 35, 30, 25]);
    expect(seen[0]).toMatchObject({ speedup: 2, efficiency: 0.5, model: { name: 'tiny' } });
    expect(seen.every((row) => row.model?.name === 'tiny')).toBe(true);

    // Rows without a speedup sort last, whichever the direction.
    const ascending = await api.gql<{ benchmarks: { edges: { node: Row }[] } }>(BENCHMARKS, {
      first: 10,
      filter: { runId: [slow] },
      orderBy: { field: 'SPEEDUP', direction: 'ASC' },
    });
    expect(ascending.data!.benchmarks.edges.map((e) => e.node.speedup)).toEqual([1.25, 1.75, null]);

    const onRun = await api.gql<{
      run: { benchmarks: { decodeTokS: number; device: DeviceInfo }[] };
    }>(`query($id: ID!) { run(id: $id) { benchmarks { decodeTokS device } artifacts { id } } }`, {
      id: fast,
    });
    expect(onRun.data!.run.benchmarks.map((b) => b.decodeTokS)).toEqual([30, 40]);
    expect(onRun.data!.run.benchmarks[0]!.device).toEqual(DEVICE);
    expect(model.id).toBeTruthy();
  });

  it('fills the leaderboard speed columns from the latest benchmark row, else from metrics', async () => {
    const benchmarked = await succeededRun(database.db, 'benchmarked');
    await recordBenchmark(
      database.db,
      benchmarked,
      { ...BASE, decodeTokS: 20, denseDecodeTokS: 20, bound: 2 },
      DEVICE,
    );
    await recordBenchmark(
      database.db,
      benchmarked,
      { ...BASE, decodeTokS: 32, denseDecodeTokS: 20, bound: 2.5 },
      DEVICE,
    );
    const response = await api.gql<{
      leaderboard: { edges: { node: { run: { id: string }; speed: Record<string, unknown> } }[] };
    }>(
      `{ leaderboard(first: 100) { edges { node { run { id } speed { decodeTokS speedup bound efficiency device benchmarkId } } } } }`,
    );
    expect(response.errors).toBeUndefined();
    const entries = new Map(
      response.data!.leaderboard.edges.map((e) => [e.node.run.id, e.node.speed]),
    );
    expect(entries.get(benchmarked)).toMatchObject({
      decodeTokS: 32,
      speedup: 1.6,
      bound: 2.5,
      efficiency: expect.closeTo(0.4, 12),
      device: DEVICE,
      benchmarkId: expect.any(String),
    });
    const plain = await succeededRun(database.db, 'plain');
    const again = await api.gql<{
      leaderboard: { edges: { node: { run: { id: string }; speed: Record<string, unknown> } }[] };
    }>(
      `{ leaderboard(first: 100) { edges { node { run { id } speed { decodeTokS benchmarkId } } } } }`,
    );
    const plainEntry = again.data!.leaderboard.edges.find((e) => e.node.run.id === plain);
    expect(plainEntry?.node.speed).toEqual({ decodeTokS: null, benchmarkId: null });
  });

  it.each([
    ['a malformed run id', { filter: { runId: ['x'] } }, 'filter.runId.0'],
    [
      'a malformed model id',
      { filter: { modelId: ['00000000-0000-0000-0000-000000000001', 'y'] } },
      'filter.modelId.1',
    ],
    ['a page of 0', { first: 0 }, 'first'],
    ['a foreign cursor', { after: 'bm90LWEtY3Vyc29y' }, 'after'],
  ])('refuses %s with BAD_USER_INPUT', async (_case, variables, field) => {
    const response = await api.gql(BENCHMARKS, { first: 5, ...variables });
    expect(response.errors?.map((e) => e.extensions)).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
    ]);
  });
});

describe.each(databaseTargets())('leaderboard speed on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  it('sorts a speed column by what it shows: the latest benchmark row, else the summary', async () => {
    const benchmarked = await succeededRun(database.db, 'benchmarked');
    const summarised = await succeededRun(database.db, 'summarised');
    await recordBenchmark(database.db, benchmarked, { ...BASE, decodeTokS: 50 }, DEVICE);
    // A summary metric the benchmark row overrides, and one that stands alone.
    await writeMetricPoints(database.db, benchmarked, [{ key: 'decode_tok_s', step: 0, value: 1 }]);
    await writeMetricPoints(database.db, summarised, [{ key: 'decode_tok_s', step: 0, value: 40 }]);
    const order = async (direction: 'ASC' | 'DESC') => {
      const response = await api.gql<{
        leaderboard: { edges: { node: { configHash: string; speed: { decodeTokS: number } } }[] };
      }>(
        `query($orderBy: LeaderboardOrder) { leaderboard(first: 10, orderBy: $orderBy) {
          edges { node { configHash speed { decodeTokS } } } } }`,
        { orderBy: { metricKey: 'decode_tok_s', direction } },
      );
      expect(response.errors).toBeUndefined();
      return response.data!.leaderboard.edges.map(({ node }) => [
        node.configHash,
        node.speed.decodeTokS,
      ]);
    };
    expect(await order('DESC')).toEqual([
      ['benchmarked', 50],
      ['summarised', 40],
    ]);
    expect(await order('ASC')).toEqual([
      ['summarised', 40],
      ['benchmarked', 50],
    ]);
  });
});
