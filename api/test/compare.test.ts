import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../api/src/db/client.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const COMPARE = `query($runIds: [ID!]!, $differingOnly: Boolean) {
  compare(runIds: $runIds, differingOnly: $differingOnly) {
    runs { id name kind status device }
    config { key values differs }
    metrics { key values }
  }
}`;

interface Comparison {
  compare: {
    runs: { id: string; name: string; kind: string; status: string; device: unknown }[];
    config: { key: string; values: unknown[]; differs: boolean }[];
    metrics: { key: string; values: (number | null)[] }[];
  };
}

async function createRun(db: Db, name: string, config: object, device: object | null = null) {
  const experiment = await db.experiment.create({
    data: {
      name,
      kind: 'selftest',
      config,
      configHash: randomUUID(),
      runs: { create: { status: 'SUCCEEDED', ...(device ? { device } : {}) } },
    },
    include: { runs: true },
  });
  return experiment.runs[0]!.id;
}

describe.each(databaseTargets())('compare on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  let a: string;
  let b: string;
  let c: string;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
    a = await createRun(
      database.db,
      'a',
      { size: 64, optim: { lr: 0.1, betas: [0.9, 0.99] }, seed: 1 },
      { adapter: 'lavapipe' },
    );
    b = await createRun(database.db, 'b', { size: 64, optim: { lr: 0.2, betas: [0.9, 0.99] } });
    c = await createRun(database.db, 'c', { size: 64, optim: { lr: 0.1, betas: [0.9, 0.999] } });
    await writeMetricPoints(database.db, a, [
      { key: 'gflops', step: 0, value: 1 },
      { key: 'gflops', step: 1, value: 3 },
    ]);
    await writeMetricPoints(database.db, b, [{ key: 'max_error', step: 0, value: 0.5 }]);
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('aligns config keys and latest metrics with the runs, in the order asked', async () => {
    const response = await api.gql<Comparison>(COMPARE, { runIds: [b, a] });
    expect(response.errors).toBeUndefined();
    const { runs, config, metrics } = response.data!.compare;
    expect(runs).toEqual([
      { id: b, name: 'b', kind: 'selftest', status: 'SUCCEEDED', device: null },
      { id: a, name: 'a', kind: 'selftest', status: 'SUCCEEDED', device: { adapter: 'lavapipe' } },
    ]);
    expect(config).toEqual([
      {
        key: 'optim.betas',
        values: [
          [0.9, 0.99],
          [0.9, 0.99],
        ],
        differs: false,
      },
      { key: 'optim.lr', values: [0.2, 0.1], differs: true },
      { key: 'seed', values: [null, 1], differs: true },
      { key: 'size', values: [64, 64], differs: false },
    ]);
    expect(metrics).toEqual([
      { key: 'gflops', values: [null, 3] },
      { key: 'max_error', values: [0.5, null] },
    ]);
  });

  it('keeps only the differing config keys with differingOnly', async () => {
    const response = await api.gql<Comparison>(COMPARE, {
      runIds: [a, b, c],
      differingOnly: true,
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.compare.config.map((row) => row.key)).toEqual([
      'optim.betas',
      'optim.lr',
      'seed',
    ]);
  });

  it('names every unknown id in a NOT_FOUND error', async () => {
    const unknown = [randomUUID(), randomUUID()];
    const response = await api.gql(COMPARE, { runIds: [a, ...unknown] });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', ids: unknown });
    expect(response.errors?.[0]?.message).toContain(unknown[1]);
  });

  it.each([
    { case: 'one run', runIds: () => [a], field: 'runIds' },
    { case: '51 runs', runIds: () => Array.from({ length: 51 }, randomUUID), field: 'runIds' },
    { case: 'a non-UUID id', runIds: () => [a, 'run-1'], field: 'runIds.1' },
    { case: 'a repeated id', runIds: () => [a, b, a], field: 'runIds.2' },
  ])('refuses $case with BAD_USER_INPUT', async ({ runIds, field }) => {
    const response = await api.gql(COMPARE, { runIds: runIds() });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
