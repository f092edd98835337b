import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { queueExperiment } from '../../api/src/graphql/experiments/experiments.service.ts';
import { validateExperimentInput } from '../../api/src/graphql/experiments/experiment-input.validation.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

interface Fixture {
  id: string;
  size: number;
  status: string;
  tags: string[];
  gflops: number | null;
  kind: string;
  name: string;
  error: string | null;
  sweep: string | null;
}

const RUNS = `query($first: Int!, $after: String, $filter: RunFilter, $orderBy: RunOrder) {
  runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { node { id } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Page {
  runs: {
    totalCount: number;
    edges: { node: { id: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

describe.each(databaseTargets())('runs filters and orders on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  const fixtures: Fixture[] = [];

  async function allPages(variables: Record<string, unknown>, pageSize = 4) {
    const ids: string[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (;;) {
      const response: { data?: Page | null; errors?: unknown } = await api.gql<Page>(RUNS, {
        ...variables,
        first: pageSize,
        after,
      });
      expect(response.errors).toBeUndefined();
      totalCount = response.data!.runs.totalCount;
      ids.push(...response.data!.runs.edges.map((e) => e.node.id));
      if (!response.data!.runs.pageInfo.hasNextPage) return { ids, totalCount };
      after = response.data!.runs.pageInfo.endCursor;
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
    const statuses = ['SUCCEEDED', 'FAILED', 'QUEUED'];
    const sweep = await database.db.sweep.create({
      data: { name: 'LR ladder', kind: 'selftest', strategy: 'GRID', spec: {} },
    });
    for (let i = 0; i < 23; i++) {
      const tags = [i % 2 === 0 ? 'even' : 'odd', ...(i % 5 === 0 ? ['fifth'] : [])];
      const name = i === 6 ? 'Warm-up baseline' : 'selftest';
      const run = await queueExperiment(
        database.db,
        validateExperimentInput({
          kind: 'selftest',
          name,
          config: { size: 10 + i },
          priority: 0,
          tags,
        }),
      );
      const status = statuses[i % 3]!;
      const error = status === 'FAILED' ? `worker ${i}: Out of memory at step ${i}` : null;
      await database.sql.query(
        'UPDATE run SET status = $2::"RunStatus", error = $3 WHERE id = $1',
        [run.id, status, error],
      );
      // Another kind and a sweep, set directly: the text filter reads them from the experiment.
      const kind = i % 4 === 1 ? 'factorize' : 'selftest';
      const inSweep = i === 9 || i === 10;
      await database.sql.query('UPDATE experiment SET kind = $2, sweep_id = $3 WHERE id = $1', [
        run.experimentId,
        kind,
        inSweep ? sweep.id : null,
      ]);
      // Ties on purpose (i % 7), and some runs without the metric.
      const gflops = i % 4 === 3 ? null : (i % 7) * 1.5;
      if (gflops !== null)
        await writeMetricPoints(database.db, run.id, [{ key: 'gflops', step: 0, value: gflops }]);
      fixtures.push({
        id: run.id,
        size: 10 + i,
        status,
        tags,
        gflops,
        kind,
        name,
        error,
        sweep: inSweep ? sweep.name : null,
      });
    }
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('sorts by a metric with ties and missing values, paging stably through every run', async () => {
    const { ids, totalCount } = await allPages({
      orderBy: { metricKey: 'gflops', direction: 'DESC' },
    });
    expect(totalCount).toBe(fixtures.length);
    const expected = [...fixtures]
      .sort((a, b) => {
        if (a.gflops === null || b.gflops === null) {
          return a.gflops === b.gflops ? (a.id < b.id ? 1 : -1) : a.gflops === null ? 1 : -1;
        }
        return b.gflops - a.gflops || (a.id < b.id ? 1 : -1);
      })
      .map((f) => f.id);
    expect(ids).toEqual(expected);
  });

  it('sorts ascending by a field', async () => {
    const { ids } = await allPages({ orderBy: { field: 'QUEUED_AT', direction: 'ASC' } }, 5);
    expect(ids).toEqual(fixtures.map((f) => f.id));
  });

  const cases: { case: string; filter: Record<string, unknown>; match: (f: Fixture) => boolean }[] =
    [
      {
        case: 'status',
        filter: { status: ['SUCCEEDED', 'FAILED'] },
        match: (f) => f.status !== 'QUEUED',
      },
      {
        case: 'tags (all of)',
        filter: { tags: ['even', 'fifth'] },
        match: (f) => f.tags.includes('even') && f.tags.includes('fifth'),
      },
      {
        case: 'config range',
        filter: { config: [{ path: 'size', gte: 20, lt: 25 }] },
        match: (f) => f.size >= 20 && f.size < 25,
      },
      {
        case: 'config equality',
        filter: { config: [{ path: 'size', eq: 17 }] },
        match: (f) => f.size === 17,
      },
      {
        case: 'metric bound',
        filter: { metric: [{ key: 'gflops', gt: 4 }] },
        match: (f) => f.gflops !== null && f.gflops > 4,
      },
      { case: 'kind', filter: { kind: ['nope'] }, match: () => false },
      {
        case: 'OR of ANDs',
        filter: {
          or: [
            { status: ['QUEUED'], tags: ['odd'] },
            {
              and: [
                { metric: [{ key: 'gflops', lte: 1.5 }] },
                { config: [{ path: 'size', gt: 25 }] },
              ],
            },
          ],
        },
        match: (f) =>
          (f.status === 'QUEUED' && f.tags.includes('odd')) ||
          (f.gflops !== null && f.gflops <= 1.5 && f.size > 25),
      },
    ];

  // The text filter: an id's start, or any of kind, tags, names, error and config containing it.
  const textCases: {
    case: string;
    text: string | (() => string);
    also?: Record<string, unknown>;
    match: (f: Fixture) => boolean;
  }[] = [
    {
      case: 'a short id (the first 8 digits of one run id)',
      text: () => fixtures[7]!.id.slice(0, 8),
      match: (f) => f === fixtures[7],
    },
    {
      case: 'part of a kind, in another case',
      text: 'ACTORIZ',
      match: (f) => f.kind === 'factorize',
    },
    { case: 'part of a tag', text: 'fift', match: (f) => f.tags.includes('fifth') },
    { case: 'a config value as its JSON reads', text: '"size": 17', match: (f) => f.size === 17 },
    { case: 'part of an error', text: 'out of MEMORY', match: (f) => f.error !== null },
    { case: 'the experiment name', text: 'warm-up', match: (f) => f.name === 'Warm-up baseline' },
    { case: 'the sweep name', text: 'lr ladder', match: (f) => f.sweep !== null },
    {
      case: 'a tag, with a status condition',
      text: 'fifth',
      also: { status: ['QUEUED', 'SUCCEEDED'] },
      match: (f) => f.tags.includes('fifth') && f.status !== 'FAILED',
    },
    { case: 'nothing any run holds', text: 'no run says this', match: () => false },
    { case: 'a LIKE wildcard, taken literally', text: '%', match: () => false },
    { case: 'blanks only (no condition)', text: '   ', match: () => true },
  ];

  it.each(textCases)('filters by text: $case', async ({ text, also, match }) => {
    const filter = { ...also, text: typeof text === 'string' ? text : text() };
    const { ids, totalCount } = await allPages({ filter });
    const expected = fixtures.filter(match).map((f) => f.id);
    expect(totalCount).toBe(expected.length);
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(ids).toHaveLength(expected.length);
  });

  it.each(cases)('filters by $case', async ({ filter, match }) => {
    const { ids, totalCount } = await allPages({ filter });
    const expected = fixtures.filter(match).map((f) => f.id);
    expect(totalCount).toBe(expected.length);
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(ids).toHaveLength(expected.length);
  });

  const deep = (depth: number): Record<string, unknown> =>
    depth === 0 ? { status: ['QUEUED'] } : { and: [deep(depth - 1)] };

  it.each([
    {
      case: 'both field and metricKey',
      variables: { orderBy: { field: 'PRIORITY', metricKey: 'x' } },
      field: 'orderBy',
    },
    {
      case: 'a config predicate without a bound',
      variables: { filter: { config: [{ path: 'size' }] } },
      field: 'filter.config.0',
    },
    {
      case: 'a text longer than 200 characters',
      variables: { filter: { or: [{ text: 'x'.repeat(201) }] } },
      field: 'filter.or.0.text',
      message: 'filter.or.0.text: is longer than 200 characters',
    },
    {
      case: 'a filter nested too deep',
      variables: { filter: deep(6) },
      field: expect.stringMatching(/^filter(\.and\.0)+$/),
    },
  ])('refuses $case with BAD_USER_INPUT', async ({ variables, field, message }) => {
    const response = await api.gql(RUNS, { first: 5, ...variables });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    if (message) expect(response.errors?.[0]?.message).toBe(message);
  });

  it('refuses text PostgreSQL cannot store before running the query', async () => {
    const response = await api.gql(RUNS, { first: 5, filter: { text: 'a\u0000b' } });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toMatch(/^variables: /);
  });
});
