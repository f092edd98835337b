import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const EXPERIMENTS = `query($first: Int!, $after: String, $filter: ExperimentFilter) {
  experiments(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id name kind config configHash tags createdAt runCount latestRun { id } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

interface Node {
  id: string;
  name: string;
  kind: string;
  tags: string[];
  createdAt: string;
  runCount: number;
  latestRun: { id: string } | null;
}

interface Page {
  experiments: {
    totalCount: number;
    edges: { cursor: string; node: Node }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  };
}

interface Fixture {
  id: string;
  name: string;
  kind: string;
  tags: string[];
  createdAt: Date;
  runIds: string[];
}

describe.each(databaseTargets())('experiments list on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  const fixtures: Fixture[] = [];

  async function allPages(filter: Record<string, unknown> | null, pageSize = 3) {
    const nodes: Node[] = [];
    let after: string | null = null;
    for (;;) {
      const response: { data?: Page | null; errors?: unknown } = await api.gql<Page>(EXPERIMENTS, {
        first: pageSize,
        after,
        filter,
      });
      expect(response.errors).toBeUndefined();
      const { edges, pageInfo, totalCount } = response.data!.experiments;
      expect(pageInfo.hasPreviousPage).toBe(after !== null);
      nodes.push(...edges.map((edge) => edge.node));
      if (!pageInfo.hasNextPage) return { nodes, totalCount };
      after = pageInfo.endCursor;
    }
  }

  /** Newest first; experiments created in the same millisecond by id, descending. */
  const newestFirst = (list: Fixture[]) =>
    [...list].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1),
    );

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    for (let i = 0; i < 14; i++) {
      const name = i === 3 ? 'sweep_lr 3' : i === 4 ? 'sweepXlr 4' : `Selftest ${i}`;
      const kind = i % 3 === 0 ? 'train' : 'selftest';
      const tags = [i % 2 === 0 ? 'even' : 'odd', ...(i % 4 === 0 ? ['fourth'] : [])];
      // Pairs created in the same millisecond, so the id breaks ties.
      const createdAt = new Date(base + Math.floor(i / 2) * 1000);
      const experiment = await database.db.experiment.create({
        data: { name, kind, config: { size: i }, configHash: randomUUID(), tags, createdAt },
      });
      const runIds: string[] = [];
      for (let r = 0; r < i % 3; r++) {
        const run = await database.db.run.create({
          data: { experimentId: experiment.id, queuedAt: new Date(base + r * 60_000) },
        });
        runIds.push(run.id);
      }
      fixtures.push({ id: experiment.id, name, kind, tags, createdAt, runIds });
    }
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('pages through every experiment newest first, with run counts and the latest run', async () => {
    const { nodes, totalCount } = await allPages(null);
    expect(totalCount).toBe(fixtures.length);
    expect(nodes.map((node) => node.id)).toEqual(newestFirst(fixtures).map((f) => f.id));
    for (const node of nodes) {
      const fixture = fixtures.find((f) => f.id === node.id)!;
      expect(node.runCount).toBe(fixture.runIds.length);
      expect(node.latestRun?.id ?? null).toBe(fixture.runIds.at(-1) ?? null);
      expect(node.createdAt).toBe(fixture.createdAt.toISOString());
    }
  });

  const cases: { case: string; filter: Record<string, unknown>; match: (f: Fixture) => boolean }[] =
    [
      { case: 'kind', filter: { kind: ['train'] }, match: (f) => f.kind === 'train' },
      {
        case: 'tags (all of)',
        filter: { tags: ['even', 'fourth'] },
        match: (f) => f.tags.includes('fourth'),
      },
      {
        case: 'name, any case',
        filter: { nameContains: 'SELFTEST 1' },
        match: (f) => f.name.startsWith('Selftest 1'),
      },
      {
        case: 'name with a LIKE wildcard taken literally',
        filter: { nameContains: 'p_l' },
        match: (f) => f.name === 'sweep_lr 3',
      },
      {
        case: 'every condition at once',
        filter: { kind: ['selftest'], tags: ['odd'], nameContains: 'selftest' },
        match: (f) => f.kind === 'selftest' && f.tags.includes('odd') && f.name.startsWith('Self'),
      },
    ];

  it.each(cases)('filters by $case', async ({ filter, match }) => {
    const { nodes, totalCount } = await allPages(filter, 2);
    const expected = newestFirst(fixtures.filter(match)).map((f) => f.id);
    expect(totalCount).toBe(expected.length);
    expect(nodes.map((node) => node.id)).toEqual(expected);
  });

  const numberCursor = Buffer.from(JSON.stringify([5, randomUUID()])).toString('base64url');
  it.each([
    { case: 'first: 0', variables: { first: 0 }, field: 'first' },
    { case: 'first: 101', variables: { first: 101 }, field: 'first' },
    { case: 'a made-up cursor', variables: { first: 5, after: 'abc' }, field: 'after' },
    { case: "another list's cursor", variables: { first: 5, after: numberCursor }, field: 'after' },
    {
      case: 'a name filter over 200 characters',
      variables: { first: 5, filter: { nameContains: 'x'.repeat(201) } },
      field: 'filter.nameContains',
    },
  ])('refuses $case with BAD_USER_INPUT', async ({ variables, field }) => {
    const response = await api.gql(EXPERIMENTS, variables);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
