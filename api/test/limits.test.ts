import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_QUERY_COST } from '../../api/src/graphql/limits.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const PAGE = `runs(first: 100) { edges { node { id status metrics { key value min max } } } }`;

describe('query limits', () => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase(databaseTargets()[0]!);
    api = await startTestApi(database);
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('answers an ordinary query and reports its cost', async () => {
    const response = (await api.gql(`{ ${PAGE} }`)) as { extensions?: { cost?: unknown } };
    expect(response).not.toHaveProperty('errors');
    expect(response.extensions?.cost).toEqual({
      requested: expect.any(Number),
      limit: MAX_QUERY_COST,
    });
  });

  it('refuses a query that multiplies pages through aliases, before running it', async () => {
    const aliases = Array.from({ length: 8 }, (_, i) => `page${i}: ${PAGE}`).join('\n');
    const response = await api.gql(`{ ${aliases} }`);
    expect(response.data).toBeUndefined();
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      maxCost: MAX_QUERY_COST,
    });
    expect(response.errors?.[0]?.message).toMatch(/query cost \d+ exceeds the limit/);
  });

  it('refuses malformed and invalid queries with BAD_USER_INPUT', async () => {
    for (const query of [
      '{ runs(first: 1) { edges ',
      '{ nope }',
      '{ runs(first: "x") { totalCount } }',
    ]) {
      const response = await api.gql(query);
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
