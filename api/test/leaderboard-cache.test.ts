import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../api/src/db/client.ts';
import { GenerationCache } from '../../api/src/graphql/leaderboard/generation-cache.ts';
import { readLeaderboardGeneration } from '../../api/src/graphql/leaderboard/leaderboard-page.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

describe('GenerationCache', () => {
  it('shares one computation per key and generation, and recomputes for a newer one', async () => {
    const cache = new GenerationCache<string>(10);
    let computed = 0;
    const compute = (value: string) => () => {
      computed++;
      return Promise.resolve(value);
    };
    const [a, b] = await Promise.all([
      cache.get(1n, 'k', compute('one')),
      cache.get(1n, 'k', compute('other')),
    ]);
    expect([a, b, computed]).toEqual(['one', 'one', 1]);
    expect(await cache.get(2n, 'k', compute('two'))).toBe('two');
    expect(computed).toBe(2);
    // A request that read an older generation is answered afresh and changes nothing.
    expect(await cache.get(1n, 'k', compute('late'))).toBe('late');
    expect(await cache.get(2n, 'k', compute('unused'))).toBe('two');
    expect(computed).toBe(3);
  });

  it('forgets a failed computation and keeps at most maxEntries keys', async () => {
    const cache = new GenerationCache<number>(2);
    await expect(cache.get(1n, 'bad', () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
    expect(await cache.get(1n, 'bad', () => Promise.resolve(1))).toBe(1);
    await cache.get(1n, 'b', () => Promise.resolve(2));
    await cache.get(1n, 'bad', () => Promise.resolve(99)); // now the most recently used
    await cache.get(1n, 'c', () => Promise.resolve(3)); // evicts b
    expect(cache.size).toBe(2);
    expect(await cache.get(1n, 'bad', () => Promise.resolve(99))).toBe(1);
    expect(await cache.get(1n, 'b', () => Promise.resolve(20))).toBe(20);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new GenerationCache(0)).toThrow('maxEntries must be a positive integer, got 0');
  });
});

const LEADERBOARD = `query {
  leaderboard(first: 10) {
    totalCount
    edges { node { configHash runCount run { id status } quality { accuracy }
      speed { decodeTokS benchmarkId } } }
  }
}`;

interface Board {
  leaderboard: {
    totalCount: number;
    edges: {
      node: {
        configHash: string;
        runCount: number;
        run: { id: string; status: string };
        quality: { accuracy: number | null };
        speed: { decodeTokS: number | null; benchmarkId: string | null };
      };
    }[];
  };
}

async function createRun(db: Db, hash: string, status: 'RUNNING' | 'SUCCEEDED'): Promise<string> {
  const experiment = await db.experiment.create({
    data: {
      name: hash,
      kind: 'selftest',
      config: { hash },
      configHash: hash,
      runs: { create: { status, finishedAt: status === 'SUCCEEDED' ? new Date() : null } },
    },
    include: { runs: true },
  });
  return experiment.runs[0]!.id;
}

describe.each(databaseTargets())('the leaderboard cache on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let otherDb: Db;
  let api: TestApi;
  let otherApi: TestApi;

  const generation = () => readLeaderboardGeneration(database.db);
  async function board(from: TestApi) {
    const response = await from.gql<Board>(LEADERBOARD);
    expect(response.errors).toBeUndefined();
    return response.data!.leaderboard;
  }

  beforeAll(async () => {
    database = await createTestDatabase(target);
    // Two API processes on one database, each with its own client and cache.
    otherDb = createDb(database.url);
    api = await startTestApi(database);
    otherApi = await startTestApi({ ...database, db: otherDb });
  });
  afterAll(async () => {
    await api?.stop();
    await otherApi?.stop();
    await otherDb?.$disconnect();
    await database?.drop();
  });

  it('bumps the generation once per transaction that changes what the board shows', async () => {
    const running = await createRun(database.db, 'g-running', 'RUNNING');
    const before = await generation();
    // A running job's progress and metrics are not on the board.
    await database.db.run.update({ where: { id: running }, data: { progress: 0.5 } });
    await writeMetricPoints(database.db, running, [{ key: 'accuracy', step: 1, value: 0.5 }]);
    expect(await generation()).toBe(before);

    // Finishing it, with several statements in one transaction: one bump, seen at commit.
    const client = await database.sql.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE run SET status = 'SUCCEEDED', finished_at = now() WHERE id = $1`, [
        running,
      ]);
      await client.query(`UPDATE run SET progress = 1 WHERE id = $1`, [running]);
      expect(await generation()).toBe(before); // not committed yet
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await generation()).toBe(before + 1n);

    await writeMetricPoints(database.db, running, [{ key: 'accuracy', step: 2, value: 0.6 }]);
    expect(await generation()).toBe(before + 2n);
    await database.db.experiment.updateMany({
      where: { configHash: 'g-running' },
      data: { tags: ['x'] },
    });
    expect(await generation()).toBe(before + 3n);
  });

  it('shows a run that finishes, and its later metrics and benchmark, on every API process', async () => {
    const first = await board(api);
    await board(otherApi); // both caches now hold the page
    const runId = await createRun(otherDb, 'fresh', 'RUNNING');
    expect(await board(api)).toEqual(first);

    await otherDb.run.update({
      where: { id: runId },
      data: { status: 'SUCCEEDED', finishedAt: new Date(Date.now() + 60_000) },
    });
    for (const from of [api, otherApi]) {
      const now = await board(from);
      expect(now.totalCount).toBe(first.totalCount + 1);
      expect(now.edges[0]!.node).toMatchObject({
        configHash: 'fresh',
        run: { id: runId, status: 'SUCCEEDED' },
        quality: { accuracy: null },
      });
    }

    await writeMetricPoints(database.db, runId, [{ key: 'accuracy', step: 0, value: 0.75 }]);
    const benchmark = await database.db.benchmark.create({
      data: {
        runId,
        batch: 1,
        promptLen: 8,
        genLen: 8,
        prefillTokS: 1000,
        decodeTokS: 321,
      },
    });
    for (const from of [otherApi, api]) {
      const row = (await board(from)).edges[0]!.node;
      expect(row.quality.accuracy).toBe(0.75);
      expect(row.speed).toEqual({ decodeTokS: 321, benchmarkId: benchmark.id });
    }

    await database.db.run.delete({ where: { id: runId } });
    expect((await board(otherApi)).totalCount).toBe(first.totalCount);
  });
});
