import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../../api/src/auth/api-keys.ts';
import {
  MAX_MUTATIONS_PER_REQUEST,
  MAX_QUERY_COST,
  MAX_QUERY_DEPTH,
} from '../../../api/src/graphql/limits.ts';
import { startTestApi, type TestApi } from '../../../test/support/api.ts';
import { queueSelftest } from '../../../test/support/runs.ts';
import { subscribe } from '../../../test/support/subscriptions.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../../test/support/test-database.ts';
import { expectServesNormally, rowCounts } from './guard.ts';
import { runOverWebSocket, wsClientFrom } from './websocket.ts';

const aliased = (count: number, field: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => `a${i}: ${field(i)}`).join('\n');

const QUEUE_FIELD = `queueExperiment(input: {kind: "selftest", config: {size: 8}}) { run { id } }`;

/** Nested `depth` levels deep through compare's runs, past the depth limit when large. */
function nested(depth: number): string {
  let selection = 'id';
  for (let level = 0; level < depth; level++)
    selection = `__typename ... on Query { q${level}: runs(first: 1) { edges { node { ${selection} } } } }`;
  return `{ ${selection} }`;
}

interface AbusiveQuery {
  name: string;
  query: string;
  /** `extensions` the refusal carries, besides code BAD_USER_INPUT. */
  extensions: Record<string, unknown>;
}

const ABUSIVE: AbusiveQuery[] = [
  {
    name: '1000 leaderboard aliases',
    query: `{ ${aliased(1000, () => 'leaderboard(first: 1) { totalCount }')} }`,
    extensions: { maxCost: MAX_QUERY_COST },
  },
  {
    name: '200 aliases of a 100-run page with metrics',
    query: `{ ${aliased(200, () => 'runs(first: 100) { edges { node { id metrics { key value } } } }')} }`,
    extensions: { maxCost: MAX_QUERY_COST },
  },
  {
    name: 'a negative page size offsetting expensive aliases',
    query: `{ cheap: runs(first: -100000000) { edges { node { id metrics { key } } } }
              ${aliased(99, () => 'leaderboard(first: 100) { totalCount }')} }`,
    extensions: { maxCost: MAX_QUERY_COST },
  },
  {
    name: `${MAX_MUTATIONS_PER_REQUEST + 1} aliased queueExperiment mutations`,
    query: `mutation { ${aliased(MAX_MUTATIONS_PER_REQUEST + 1, () => QUEUE_FIELD)} }`,
    extensions: { maxMutations: MAX_MUTATIONS_PER_REQUEST },
  },
  {
    name: '1000 aliased queueExperiment mutations',
    query: `mutation { ${aliased(1000, () => QUEUE_FIELD)} }`,
    extensions: { maxMutations: MAX_MUTATIONS_PER_REQUEST },
  },
  {
    name: 'mutations split between the operation and a fragment',
    query: `mutation { ...m ... on Mutation { b: ${QUEUE_FIELD} } }
            fragment m on Mutation { ${aliased(MAX_MUTATIONS_PER_REQUEST, () => QUEUE_FIELD)} }`,
    extensions: { maxMutations: MAX_MUTATIONS_PER_REQUEST },
  },
  {
    name: `selections nested past depth ${MAX_QUERY_DEPTH}`,
    query: nested(MAX_QUERY_DEPTH),
    extensions: {},
  },
  {
    name: 'a field the schema lacks',
    query: '{ runs(first: 1) { edges { node { secret } } } }',
    extensions: {},
  },
];

describe.each(databaseTargets())('the same limits over HTTP and WebSocket on $name', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  let viewerKey: string;
  let editorKey: string;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database, 'on');
    viewerKey = (await createApiKey(database.db, { name: 'viewer', role: 'VIEWER' })).token;
    editorKey = (await createApiKey(database.db, { name: 'editor', role: 'EDITOR' })).token;
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it.each(ABUSIVE)('refuses $name over HTTP before running it', async ({ query, extensions }) => {
    const before = await rowCounts(database);
    const response = await api.gql(query, {}, editorKey);
    expect(response.data ?? undefined).toBeUndefined();
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      ...extensions,
    });
    expect(await rowCounts(database)).toEqual(before);
    await expectServesNormally(api, editorKey);
  });

  it.each(ABUSIVE)(
    'refuses $name over WebSocket before running it',
    async ({ query, extensions }) => {
      const before = await rowCounts(database);
      const client = wsClientFrom(api.url, undefined, editorKey);
      const { results, error } = await runOverWebSocket(client, query);
      await client.dispose();
      expect(results).toEqual([]);
      const errors = error as { extensions?: Record<string, unknown> }[];
      expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', ...extensions });
      expect(await rowCounts(database)).toEqual(before);
      await expectServesNormally(api, editorKey);
    },
  );

  it('answers a viewer over WebSocket within the limits, and refuses it a mutation', async () => {
    const client = wsClientFrom(api.url, undefined, viewerKey);
    const read = await runOverWebSocket(client, '{ runs(first: 5) { totalCount } }');
    const write = await runOverWebSocket(client, `mutation { ${QUEUE_FIELD} }`);
    await client.dispose();
    expect(read.results[0]?.errors).toBeUndefined();
    expect(read.results[0]?.data).toMatchObject({ runs: { totalCount: expect.any(Number) } });
    expect(write.results[0]?.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('stops a subscription once its key is revoked', async () => {
    const created = await createApiKey(database.db, { name: 'soon revoked', role: 'VIEWER' });
    const run = await queueSelftest(database.db, { size: 8 });
    const client = wsClientFrom(api.url, undefined, created.token);
    const subscription = subscribe<{ progress: number }>(
      client,
      'subscription($id: ID!) { runUpdated(id: $id) { id progress } }',
      { id: run.id },
      'runUpdated',
    );
    try {
      await subscription.until((events) => events.length >= 1);
      await database.sql.query('UPDATE run SET progress = 0.25 WHERE id = $1', [run.id]);
      await subscription.until((events) => events.length >= 2);
      await revokeApiKey(database.db, created.prefix);
      await database.sql.query('UPDATE run SET progress = 0.5 WHERE id = $1', [run.id]);
      await expect(subscription.until((events) => events.length >= 3, 5000)).rejects.toThrow(
        /UNAUTHENTICATED/,
      );
      expect(subscription.events.map((e) => e.progress)).toEqual([0, 0.25]);
    } finally {
      subscription.close();
      await client.dispose();
    }
  });
});
