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

  it('prices each request of one query text by its own variables', async () => {
    // Apollo parses and validates the text once; the limits' verdict is kept per variables.
    const page = PAGE.replace('first: 100', 'first: $first');
    const query = `query ($first: Int!) { ${Array.from({ length: 8 }, (_, i) => `page${i}: ${page}`).join('\n')} }`;
    const cost = async (first: number) => {
      const response = (await api.gql(query, { first })) as {
        errors?: { extensions?: { code?: string } }[];
        extensions?: { cost?: { requested: number } };
      };
      return response.errors?.[0]?.extensions?.code ?? response.extensions?.cost?.requested;
    };
    const small = await cost(1);
    expect(small).toEqual(expect.any(Number));
    expect(await cost(100)).toBe('BAD_USER_INPUT');
    expect(await cost(2)).toBeGreaterThan(small as number);
    expect(await cost(100)).toBe('BAD_USER_INPUT');
    expect(await cost(1)).toBe(small);
    const badVariables = await api.gql(query, { first: 1, x: 'a\u0000b' });
    expect(badVariables.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
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
