import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../api/src/db/client.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const LEADERBOARD = `query($first: Int!, $after: String, $filter: LeaderboardFilter,
    $orderBy: LeaderboardOrder) {
  leaderboard(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { node {
      kind configHash config runCount
      run { id status }
      quality { retention perplexity accuracy perplexityRatio klToTeacher top1Agreement }
      speed { decodeTokS speedup efficiency }
    } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Entry {
  kind: string;
  configHash: string;
  runCount: number;
  run: { id: string; status: string };
  quality: Record<string, number | null>;
  speed: Record<string, number | null>;
}

interface Page {
  leaderboard: {
    totalCount: number;
    edges: { node: Entry }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

type Status = 'SUCCEEDED' | 'FAILED';

/** One experiment of the configuration `hash` with one run that finished at `minute`. */
async function seedRun(
  db: Db,
  hash: string,
  kind: string,
  status: Status,
  minute: number,
  metrics: Record<string, number> = {},
  tags: string[] = [],
): Promise<string> {
  const experiment = await db.experiment.create({
    data: {
      name: hash,
      kind,
      config: { hash },
      configHash: hash,
      tags,
      runs: {
        create: { status, finishedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)) },
      },
    },
    include: { runs: true },
  });
  const runId = experiment.runs[0]!.id;
  const points = Object.entries(metrics).map(([key, value]) => ({ key, step: 0, value }));
  await writeMetricPoints(db, runId, points);
  return runId;
}

describe.each(databaseTargets())('leaderboard on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  const runs: Record<string, string> = {};

  async function allPages(variables: Record<string, unknown>, pageSize = 2) {
    const entries: Entry[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (;;) {
      const response: { data?: Page | null; errors?: unknown } = await api.gql<Page>(LEADERBOARD, {
        ...variables,
        first: pageSize,
        after,
      });
      expect(response.errors).toBeUndefined();
      totalCount = response.data!.leaderboard.totalCount;
      entries.push(...response.data!.leaderboard.edges.map((edge) => edge.node));
      if (!response.data!.leaderboard.pageInfo.hasNextPage) return { entries, totalCount };
      after = response.data!.leaderboard.pageInfo.endCursor;
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
    const db = database.db;
    // a: three successes (the best gflops is not the latest) and a faster failure.
    runs.a1 = await seedRun(db, 'a', 'selftest', 'SUCCEEDED', 1, { gflops: 5 });
    runs.a2 = await seedRun(db, 'a', 'selftest', 'SUCCEEDED', 2, { gflops: 9 });
    runs.a3 = await seedRun(db, 'a', 'selftest', 'SUCCEEDED', 3, { gflops: 7 });
    runs.aFailed = await seedRun(db, 'a', 'selftest', 'FAILED', 4, { gflops: 99 });
    // b: one success with the metrics real jobs will report.
    runs.b1 = await seedRun(db, 'b', 'selftest', 'SUCCEEDED', 5, {
      gflops: 8,
      perplexity: 12.5,
      accuracy: 0.75,
      retention: 0.9,
      perplexity_ratio: 1.04,
      kl_to_teacher: 0.05,
      top1_agreement: 0.8,
      decode_tok_s: 140,
      speedup: 1.8,
      efficiency: 0.6,
    });
    // c: two successes without gflops.
    runs.c1 = await seedRun(db, 'c', 'selftest', 'SUCCEEDED', 6);
    runs.c2 = await seedRun(db, 'c', 'selftest', 'SUCCEEDED', 0);
    // d: another kind, tagged.
    runs.d1 = await seedRun(db, 'd', 'train', 'SUCCEEDED', 4, { gflops: 1 }, ['nightly']);
    // e: never succeeded, so not on the board.
    await seedRun(db, 'e', 'selftest', 'FAILED', 9, { gflops: 50 });
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('lists each succeeded configuration once, latest finished first', async () => {
    const { entries, totalCount } = await allPages({});
    expect(totalCount).toBe(4);
    expect(entries.map((e) => [e.configHash, e.run.id, e.runCount])).toEqual([
      ['c', runs.c1, 2],
      ['b', runs.b1, 1],
      ['d', runs.d1, 1],
      ['a', runs.a3, 3],
    ]);
    expect(entries.every((e) => e.run.status === 'SUCCEEDED')).toBe(true);
  });

  it('picks the best run by the ordering metric, configurations without it last', async () => {
    const { entries } = await allPages({ orderBy: { metricKey: 'gflops', direction: 'DESC' } }, 1);
    expect(entries.map((e) => [e.configHash, e.run.id])).toEqual([
      ['a', runs.a2],
      ['b', runs.b1],
      ['d', runs.d1],
      ['c', runs.c1],
    ]);
  });

  it('picks the lowest value when the metric is ordered ascending', async () => {
    const { entries } = await allPages({ orderBy: { metricKey: 'gflops', direction: 'ASC' } });
    expect(entries.map((e) => [e.configHash, e.run.id])).toEqual([
      ['d', runs.d1],
      ['a', runs.a1],
      ['b', runs.b1],
      ['c', runs.c1],
    ]);
  });

  it('orders by run count', async () => {
    const { entries } = await allPages({ orderBy: { field: 'RUN_COUNT', direction: 'DESC' } }, 3);
    expect(entries.map((e) => e.runCount)).toEqual([3, 2, 1, 1]);
  });

  it('reads quality and speed metrics by key, null where a run has not reported them', async () => {
    const { entries } = await allPages({});
    const b = entries.find((e) => e.configHash === 'b')!;
    expect(b.quality).toEqual({
      retention: 0.9,
      perplexity: 12.5,
      accuracy: 0.75,
      perplexityRatio: 1.04,
      klToTeacher: 0.05,
      top1Agreement: 0.8,
    });
    expect(b.speed).toEqual({ decodeTokS: 140, speedup: 1.8, efficiency: 0.6 });
    const a = entries.find((e) => e.configHash === 'a')!;
    expect(a.quality).toEqual({
      retention: null,
      perplexity: null,
      accuracy: null,
      perplexityRatio: null,
      klToTeacher: null,
      top1Agreement: null,
    });
    expect(a.speed).toEqual({ decodeTokS: null, speedup: null, efficiency: null });
  });

  it.each([
    { case: 'kind', filter: { kind: ['train'] }, hashes: ['d'] },
    { case: 'tags', filter: { tags: ['nightly'] }, hashes: ['d'] },
    { case: 'an unknown kind', filter: { kind: ['nope'] }, hashes: [] },
  ])('filters by $case', async ({ filter, hashes }) => {
    const { entries, totalCount } = await allPages({ filter });
    expect(totalCount).toBe(hashes.length);
    expect(entries.map((e) => e.configHash)).toEqual(hashes);
  });

  it.each([
    { case: 'first: 0', variables: { first: 0 }, field: 'first' },
    { case: 'first: 101', variables: { first: 101 }, field: 'first' },
    { case: 'a made-up cursor', variables: { first: 5, after: 'xyz' }, field: 'after' },
    {
      case: 'both field and metricKey',
      variables: { first: 5, orderBy: { field: 'RUN_COUNT', metricKey: 'gflops' } },
      field: 'orderBy',
    },
  ])('refuses $case with BAD_USER_INPUT', async ({ variables, field }) => {
    const response = await api.gql(LEADERBOARD, variables);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
