import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { createTwinRuns, queueSelftest, TWIN_RUN_IDS } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const RUN_IDS = `query($prefixes: [String!]!) {
  runIds(prefixes: $prefixes) { prefix id problem }
}`;

interface RunIdMatch {
  prefix: string;
  id: string | null;
  problem: string | null;
}

describe.each(databaseTargets())(
  'short run ids in one request on the $name PostgreSQL',
  (target) => {
    let database: TestDatabase;
    let api: TestApi;
    let one: string;

    beforeAll(async () => {
      database = await createTestDatabase(target);
      api = await startTestApi(database);
      one = (await queueSelftest(database.db, { size: 8 })).id;
      await createTwinRuns(database.db);
    });
    afterAll(async () => {
      await api?.stop();
      await database?.drop();
    });

    it('resolves every prefix in order, naming each one that names no single run and why', async () => {
      const prefixes = [
        one.slice(0, 8).toUpperCase(),
        TWIN_RUN_IDS[1],
        'abcd1234',
        'ffffffff',
        'abc',
        'not-an-id',
        one.slice(0, 8),
      ];
      const { data, errors } = await api.gql<{ runIds: RunIdMatch[] }>(RUN_IDS, { prefixes });
      expect(errors).toBeUndefined();
      expect(data!.runIds).toEqual([
        { prefix: prefixes[0], id: one, problem: null },
        { prefix: TWIN_RUN_IDS[1], id: TWIN_RUN_IDS[1], problem: null },
        {
          prefix: 'abcd1234',
          id: null,
          problem: `"abcd1234" starts several run ids (${TWIN_RUN_IDS.join(', ')}): give more digits`,
        },
        { prefix: 'ffffffff', id: null, problem: 'no run id starts with "ffffffff"' },
        {
          prefix: 'abc',
          id: null,
          problem: '"abc" is too short: give at least 4 hex digits of the run id',
        },
        {
          prefix: 'not-an-id',
          id: null,
          problem:
            '"not-an-id" is not a run id or the start of one: ids are hex digits such as 1a2b3c4d',
        },
        { prefix: one.slice(0, 8), id: one, problem: null },
      ]);
    });

    it('answers an empty list with an empty list, and refuses more than 50 prefixes', async () => {
      expect((await api.gql<{ runIds: RunIdMatch[] }>(RUN_IDS, { prefixes: [] })).data).toEqual({
        runIds: [],
      });
      const many = await api.gql(RUN_IDS, { prefixes: Array.from({ length: 51 }, () => 'abcd') });
      expect(many.errors?.[0]).toMatchObject({
        message: 'prefixes: give at most 50 prefixes',
        extensions: { code: 'BAD_USER_INPUT', field: 'prefixes' },
      });
    });

    it('keeps runId as it was: one prefix, an error when it names no single run', async () => {
      const answer = async (prefix: string) => {
        const { data, errors } = await api.gql<{ runId: string }>(
          'query($prefix: String!) { runId(prefix: $prefix) }',
          { prefix },
        );
        return data?.runId ?? errors?.map((e) => `${e.extensions?.code}: ${e.message}`).join('; ');
      };
      expect(await answer(one.slice(0, 6))).toBe(one);
      expect(await answer('abcd1234')).toBe(
        `BAD_USER_INPUT: prefix: "abcd1234" starts several run ids (${TWIN_RUN_IDS.join(', ')}): give more digits`,
      );
      expect(await answer('ffffffff')).toBe('NOT_FOUND: run ffffffff does not exist');
    });
  },
);
