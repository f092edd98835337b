import { parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/src/auth/api-keys.ts';
import { coveredByLeaderboardGeneration } from '../../api/src/graphql/leaderboard/leaderboard-response-cache.ts';
import { readLeaderboardGeneration } from '../../api/src/graphql/leaderboard/leaderboard-page.ts';
import { getSchema } from '../../api/src/graphql/schema.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

describe('which operations the leaderboard generation covers', () => {
  const covered = async (query: string, operationName?: string) => {
    const document = parse(query);
    const operation = document.definitions.find(
      (definition): definition is OperationDefinitionNode =>
        definition.kind === 'OperationDefinition' &&
        (!operationName || definition.name?.value === operationName),
    )!;
    return coveredByLeaderboardGeneration(await getSchema(), document, operation);
  };

  it('covers the leaderboard and the fields its generation covers', async () => {
    expect(
      await covered(`query Board($first: Int!, $quality: Boolean!) {
        __typename
        leaderboard(first: $first) {
          totalCount pageInfo { hasNextPage endCursor }
          edges { cursor node { ...Row quality @include(if: $quality) { accuracy } } }
        }
      }
      fragment Row on LeaderboardEntry {
        __typename kind configHash config runCount
        run { id name status device finishedAt }
        factorisation { label experts topK }
        spread { key count mean min max stdDev }
        speed { decodeTokS speedup bound efficiency device benchmarkId }
        ... on LeaderboardEntry { quality { retention } }
      }`),
    ).toBe(true);
  });

  it('covers nothing else', async () => {
    const row = 'leaderboard(first: 5) { edges { node { configHash } } }';
    for (const query of [
      `{ ${row} runs(first: 5) { totalCount } }`, // another root field
      `{ ${row} run(id: "x") { id } }`,
      `{ ${row} __schema { queryType { name } } }`,
      `{ leaderboard { edges { node { run { id sweepId } } } } }`, // a run field read elsewhere
      `{ leaderboard { edges { node { run { metrics { key value } } } } } }`,
      `{ leaderboard { edges { node { run { ...Logs } } } } } fragment Logs on Run { sweepId }`,
      `query @live { ${row} }`,
    ]) {
      expect(await covered(query), query).toBe(false);
    }
    // Only the operation that runs counts; mutations and subscriptions never.
    const two = `query A { ${row} } query B { runs { totalCount } }`;
    expect(await covered(two, 'A')).toBe(true);
    expect(await covered(two, 'B')).toBe(false);
    expect(await covered(`mutation { cancelRun(id: "x") { id } }`)).toBe(false);
    expect(await covered(`subscription { runUpdated { id } }`)).toBe(false);
  });
});

// Spread is read afresh by every execution (it is not part of the cached page): a response that
// keeps an old spread after its summaries changed came from the response cache.
const BOARD = `query Board($first: Int!) {
  leaderboard(first: $first) { edges { node { configHash runCount spread { key mean } } } }
}`;

interface BoardData {
  leaderboard: {
    edges: {
      node: { configHash: string; runCount: number; spread: { key: string; mean: number }[] };
    }[];
  };
}

describe.each(databaseTargets())(
  'the leaderboard response cache on the $name PostgreSQL',
  (target) => {
    let database: TestDatabase;
    let api: TestApi;
    let securedApi: TestApi;
    const runIds: string[] = [];

    const generation = () => readLeaderboardGeneration(database.db);
    const accuracyMean = (data: BoardData | null | undefined) =>
      data?.leaderboard.edges
        .find(({ node }) => node.configHash === 'twice')
        ?.node.spread.find((spread) => spread.key === 'accuracy')?.mean;

    /** Sets a run's accuracy in a transaction that does not bump the generation. */
    async function setAccuracyQuietly(runId: string, value: number): Promise<void> {
      const before = await generation();
      const client = await database.sql.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL factorlab.leaderboard_bumped = 'on'`);
        await client.query(
          `UPDATE run_metric_summary SET last_value = $2 WHERE run_id = $1 AND key = 'accuracy'`,
          [runId, value],
        );
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      expect(await generation()).toBe(before);
    }

    beforeAll(async () => {
      database = await createTestDatabase(target);
      api = await startTestApi(database);
      securedApi = await startTestApi(database, 'on');
      const experiment = await database.db.experiment.create({
        data: {
          name: 'twice',
          kind: 'selftest',
          config: { hash: 'twice' },
          configHash: 'twice',
          runs: {
            create: [0, 1].map(() => ({ status: 'SUCCEEDED' as const, finishedAt: new Date() })),
          },
        },
        include: { runs: true },
      });
      for (const [i, run] of experiment.runs.entries()) {
        runIds.push(run.id);
        await writeMetricPoints(database.db, run.id, [
          { key: 'accuracy', step: 0, value: 0.5 + i / 10 },
        ]);
      }
    });
    afterAll(async () => {
      await api?.stop();
      await securedApi?.stop();
      await database?.drop();
    });

    it('answers from the cache until a commit bumps the generation, then afresh', async () => {
      const first = await api.gql<BoardData>(BOARD, { first: 5 });
      expect(first.errors).toBeUndefined();
      expect(accuracyMean(first.data)).toBeCloseTo(0.55);

      await setAccuracyQuietly(runIds[0]!, 0.7);
      const cached = await api.gql<BoardData>(BOARD, { first: 5 });
      expect(cached).toEqual(first);
      // Other variables are another answer, computed afresh.
      expect(accuracyMean((await api.gql<BoardData>(BOARD, { first: 6 })).data)).toBeCloseTo(0.65);

      // Any commit that changes what the board shows: the very next answer is recomputed.
      await database.db.experiment.update({
        where: {
          id: (await database.db.run.findUniqueOrThrow({ where: { id: runIds[0]! } })).experimentId,
        },
        data: { tags: ['bumped'] },
      });
      expect(accuracyMean((await api.gql<BoardData>(BOARD, { first: 5 })).data)).toBeCloseTo(0.65);
    });

    it('never answers from the cache an operation with a field the generation does not cover', async () => {
      const withRuns = `query ($first: Int!) {
      leaderboard(first: $first) { edges { node { configHash runCount spread { key mean } } } }
      runs(first: 1) { totalCount }
    }`;
      const withSweep = `query ($first: Int!) {
      leaderboard(first: $first) {
        edges { node { configHash runCount spread { key mean } run { id sweepId } } }
      }
    }`;
      for (const [i, query] of [withRuns, withSweep].entries()) {
        const value = 0.2 + i / 10;
        expect((await api.gql<BoardData>(query, { first: 5 })).errors).toBeUndefined();
        await setAccuracyQuietly(runIds[0]!, value);
        const again = await api.gql<BoardData>(query, { first: 5 });
        expect(accuracyMean(again.data), query).toBeCloseTo((value + 0.6) / 2);
      }
    });

    it("answers only callers the leaderboard allows, whoever's answer is cached", async () => {
      const { token } = await createApiKey(database.db, { name: 'viewer', role: 'VIEWER' });
      const viewer = await securedApi.gql<BoardData>(BOARD, { first: 5 }, token);
      expect(viewer.errors).toBeUndefined();
      expect(await securedApi.gql<BoardData>(BOARD, { first: 5 }, token)).toEqual(viewer);
      const anonymous = await securedApi.gql<BoardData>(BOARD, { first: 5 });
      expect(anonymous.data).toBeNull();
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const wrongKey = await securedApi.gql<BoardData>(BOARD, { first: 5 }, 'not-a-key');
      expect(wrongKey.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  },
);
