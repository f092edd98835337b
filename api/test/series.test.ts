import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const STEPS = 10_000;
const SPIKE_STEP = 4321;
const loss = (step: number) => (step === SPIKE_STEP ? 50 : 10 / (1 + step / 100));

interface SeriesResponse {
  run: {
    metrics: { key: string; value: number; min: number; max: number; step: number }[];
    series: {
      key: string;
      totalPoints: number;
      points: { step: number; value: number; min: number; max: number }[];
    }[];
  };
}

const SERIES = `query($id: ID!, $keys: [String!]!, $samples: Int!, $min: Int, $max: Int) {
  run(id: $id) {
    metrics { key value min max step }
    series(keys: $keys, samples: $samples, minStep: $min, maxStep: $max) {
      key totalPoints points { step value min max }
    }
  }
}`;

describe.each(databaseTargets())('metric series on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  let runId: string;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
    runId = (await queueSelftest(database.db, { size: 8 })).id;
    // Written in batches through the worker's own ingestion path, one batch replayed.
    for (let start = 0; start < STEPS; start += 2500) {
      const batch = Array.from({ length: 2500 }, (_, i) => ({
        key: 'loss',
        step: start + i,
        value: loss(start + i),
      }));
      await writeMetricPoints(database.db, runId, batch);
      if (start === 2500) await writeMetricPoints(database.db, runId, batch);
    }
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('keeps each point once, and a summary with the latest value and the range', async () => {
    const { rows } = await database.sql.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM metric_point WHERE run_id = $1',
      [runId],
    );
    expect(rows[0]!.count).toBe(STEPS);
    const response = await api.gql<SeriesResponse>(SERIES, {
      id: runId,
      keys: ['loss'],
      samples: 10,
    });
    expect(response.data!.run.metrics).toEqual([
      { key: 'loss', step: STEPS - 1, value: loss(STEPS - 1), min: loss(STEPS - 1), max: 50 },
    ]);
  });

  it('downsamples on the server without losing the last point or a spike', async () => {
    const response = await api.gql<SeriesResponse>(SERIES, {
      id: runId,
      keys: ['loss'],
      samples: 100,
    });
    const [series] = response.data!.run.series;
    expect(series!.totalPoints).toBe(STEPS);
    expect(series!.points).toHaveLength(100);
    expect(series!.points.at(-1)).toMatchObject({ step: STEPS - 1, value: loss(STEPS - 1) });
    expect(Math.max(...series!.points.map((p) => p.max))).toBe(50);
    const steps = series!.points.map((p) => p.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it('restricts to a step range and returns empty series for unknown keys', async () => {
    const response = await api.gql<SeriesResponse>(SERIES, {
      id: runId,
      keys: ['loss', 'nope'],
      samples: 1000,
      min: 100,
      max: 199,
    });
    const [lossSeries, missing] = response.data!.run.series;
    expect(lossSeries!.totalPoints).toBe(100);
    expect(lossSeries!.points).toHaveLength(100);
    expect(lossSeries!.points[0]).toEqual({
      step: 100,
      value: loss(100),
      min: loss(100),
      max: loss(100),
    });
    expect(missing).toEqual({ key: 'nope', totalPoints: 0, points: [] });
  });

  it.each([
    { case: 'no keys', variables: { keys: [], samples: 10 }, field: 'keys' },
    { case: 'too many samples', variables: { keys: ['loss'], samples: 5000 }, field: 'samples' },
    {
      case: 'an inverted range',
      variables: { keys: ['loss'], samples: 10, min: 5, max: 1 },
      field: 'minStep',
    },
  ])('refuses $case with BAD_USER_INPUT', async ({ variables, field }) => {
    const response = await api.gql(SERIES, { id: runId, ...variables });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
