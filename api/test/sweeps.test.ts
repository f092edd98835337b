import { describe, expect, it } from 'vitest';
import type { TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

const QUEUE_SWEEP = `mutation($input: QueueSweepInput!) {
  queueSweep(input: $input) {
    sweep { id name strategy runCount spec }
    runs { id status name config }
  }
}`;

interface SweepResult {
  queueSweep: {
    sweep: { id: string; name: string; strategy: string; runCount: number };
    runs: { id: string; status: string; name: string; config: Record<string, number> }[];
  };
}

async function counts(database: TestDatabase) {
  const { rows } = await database.sql.query(
    `SELECT (SELECT count(*)::int FROM sweep) AS sweeps,
            (SELECT count(*)::int FROM experiment) AS experiments,
            (SELECT count(*)::int FROM run) AS runs,
            (SELECT count(*)::int FROM graphile_worker.jobs) AS jobs`,
  );
  return rows[0];
}

describe.each(databaseTargets())('queueSweep on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  it('queues every point of a grid over the base config, in one go', async () => {
    const before = await counts(database);
    const response = await api.gql<SweepResult>(QUEUE_SWEEP, {
      input: {
        kind: 'selftest',
        baseConfig: { repeats: 2 },
        parameters: [
          { path: 'size', values: [16, 32, 64] },
          { path: 'seed', values: [1, 2] },
        ],
      },
    });
    expect(response.errors).toBeUndefined();
    const { sweep, runs } = response.data!.queueSweep;
    expect(sweep).toMatchObject({ name: 'selftest sweep', strategy: 'GRID', runCount: 6 });
    expect(runs.map((r) => [r.config.size, r.config.seed, r.config.repeats])).toEqual([
      [16, 1, 2],
      [16, 2, 2],
      [32, 1, 2],
      [32, 2, 2],
      [64, 1, 2],
      [64, 2, 2],
    ]);
    expect(runs.every((r) => r.status === 'QUEUED')).toBe(true);
    expect(await counts(database)).toEqual({
      sweeps: before.sweeps + 1,
      experiments: before.experiments + 6,
      runs: before.runs + 6,
      jobs: before.jobs + 6,
    });
    const { rows } = await database.sql.query(
      'SELECT count(*)::int AS n FROM experiment WHERE sweep_id = $1',
      [sweep.id],
    );
    expect(rows[0].n).toBe(6);
  });

  it('draws reproducible random points within the ranges', async () => {
    const input = {
      kind: 'selftest',
      strategy: 'RANDOM',
      samples: 5,
      seed: 42,
      parameters: [
        { path: 'size', min: 8, max: 512, logScale: true, integer: true },
        { path: 'repeats', values: [1, 3] },
      ],
    };
    const first = await api.gql<SweepResult>(QUEUE_SWEEP, { input });
    const second = await api.gql<SweepResult>(QUEUE_SWEEP, { input });
    const configs = (r: typeof first) => r.data!.queueSweep.runs.map((run) => run.config);
    expect(configs(first)).toHaveLength(5);
    expect(configs(first)).toEqual(configs(second));
    for (const config of configs(first)) {
      expect(Number.isInteger(config.size)).toBe(true);
      expect(config.size).toBeGreaterThanOrEqual(8);
      expect(config.size).toBeLessThanOrEqual(512);
      expect([1, 3]).toContain(config.repeats);
    }
  });

  it.each([
    {
      case: 'a grid over the cap',
      input: {
        parameters: [
          { path: 'size', values: [8, 9, 10, 11] },
          { path: 'seed', values: [1, 2, 3] },
        ],
        maxRuns: 10,
      },
      field: 'parameters',
    },
    {
      case: 'a cap over the limit',
      input: { parameters: [{ path: 'size', values: [8] }], maxRuns: 1000 },
      field: 'maxRuns',
    },
    { case: 'no parameters', input: { parameters: [] }, field: 'parameters' },
    {
      case: 'a range in a grid',
      input: { parameters: [{ path: 'size', min: 1, max: 4 }] },
      field: 'parameters.0.values',
    },
    {
      case: 'random without samples',
      input: { strategy: 'RANDOM', parameters: [{ path: 'size', values: [8] }] },
      field: 'samples',
    },
    {
      case: 'a point the job refuses',
      input: { parameters: [{ path: 'size', values: [8, 0] }] },
      field: 'config.size',
    },
    {
      case: 'a base config that is not an object',
      input: { baseConfig: [1], parameters: [{ path: 'size', values: [8] }] },
      field: 'baseConfig',
    },
  ])(
    'refuses $case with BAD_USER_INPUT naming $field, writing nothing',
    async ({ input, field }) => {
      const before = await counts(database);
      const response = await api.gql(QUEUE_SWEEP, { input: { kind: 'selftest', ...input } });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await counts(database)).toEqual(before);
    },
  );
});
