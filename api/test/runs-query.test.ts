import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_MUTATION, startTestApi, type TestApi } from '../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

interface RunsPage {
  runs: {
    totalCount: number;
    edges: { cursor: string; node: { id: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const RUNS_QUERY = `query($first: Int!, $after: String) {
  runs(first: $first, after: $after) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe.each(databaseTargets())('run and runs queries on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  const queuedIds: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
    for (let i = 0; i < 7; i++) {
      const response = await api.gql<{ queueExperiment: { run: { id: string } } }>(QUEUE_MUTATION, {
        input: { kind: 'selftest', config: { size: 8 + i } },
      });
      queuedIds.push(response.data!.queueExperiment.run.id);
    }
    // Two runs queued in the same millisecond must still page in a stable order.
    await database.sql.query(`UPDATE run SET queued_at = (SELECT min(queued_at) FROM run)`);
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('pages through every run exactly once with keyset cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const response: { data?: RunsPage | null } = await api.gql<RunsPage>(RUNS_QUERY, {
        first: 3,
        after,
      });
      const page = response.data!.runs;
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(new Set(queuedIds));
  });

  it('returns a run by id with its status and empty metrics, and null for an unknown id', async () => {
    const id = queuedIds[0]!;
    const found = await api.gql<{ run: { id: string; status: string; metrics: unknown[] } }>(
      `query($id: ID!) { run(id: $id) { id status metrics { key value } } }`,
      { id },
    );
    expect(found.data!.run).toEqual({ id, status: 'QUEUED', metrics: [] });
    const missing = await api.gql<{ run: null }>(`query($id: ID!) { run(id: $id) { id } }`, {
      id: '00000000-0000-4000-8000-000000000000',
    });
    expect(missing.data!.run).toBeNull();
  });

  it.each([
    { case: 'first above 100', variables: { first: 101 }, field: 'first' },
    { case: 'first of 0', variables: { first: 0 }, field: 'first' },
    { case: 'a forged cursor', variables: { first: 5, after: 'bm90LWEtY3Vyc29y' }, field: 'after' },
  ])('refuses $case with BAD_USER_INPUT', async ({ variables, field }) => {
    const response = await api.gql(RUNS_QUERY, variables);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a malformed run id with BAD_USER_INPUT', async () => {
    const response = await api.gql(`query { run(id: "not-a-uuid") { id } }`);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});
