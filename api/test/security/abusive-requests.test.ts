import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../api/src/graphql/cursor.ts';
import { MAX_JSON_DEPTH } from '../../../api/src/graphql/json-input.ts';
import { MAX_REQUEST_BYTES } from '../../../api/src/graphql/limits.ts';
import { startTestApi, type TestApi } from '../../../test/support/api.ts';
import { queueSelftest } from '../../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../../test/support/test-database.ts';
import { expectServesNormally, rowCounts } from './guard.ts';
import { runOverWebSocket, wsClientFrom } from './websocket.ts';

const SOME_ID = '00000000-0000-4000-8000-000000000001';
const QUEUE = `mutation($input: QueueExperimentInput!) { queueExperiment(input: $input) { run { id } } }`;
const RUNS_AFTER = `query($after: String, $order: RunOrder) {
  runs(first: 2, after: $after, orderBy: $order) { totalCount } }`;
const RUNS_FILTERED = `query($filter: RunFilter) { runs(first: 2, filter: $filter) { totalCount } }`;

/** `levels` of JSON arrays around 1, as text (JSON.stringify would recurse that deep). */
const deepArray = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

interface AbuseCase {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Top-level error code, or the code of the payload's userErrors when `userError` is set. */
  code: string;
  userError?: true;
}

/** Requests any transport carries: each is refused with `code` over HTTP and over WebSocket. */
const CASES: AbuseCase[] = [
  {
    name: 'a well-formed cursor holding a string where the order is numeric',
    query: RUNS_AFTER,
    variables: {
      after: encodeCursor({ value: 'high', id: SOME_ID }),
      order: { field: 'PRIORITY' },
    },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a well-formed cursor holding a number where the order is a time',
    query: RUNS_AFTER,
    variables: { after: encodeCursor({ value: 5, id: SOME_ID }) },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a cursor that is not base64 JSON',
    query: RUNS_AFTER,
    variables: { after: '!!not-a-cursor!!' },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a forged cursor naming a non-UUID id',
    query: RUNS_AFTER,
    variables: {
      after: Buffer.from(JSON.stringify(['2026-01-01', "x' OR 1=1"])).toString('base64url'),
    },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a NUL byte in a string variable',
    query: QUEUE,
    variables: { input: { kind: 'selftest', name: 'a\u0000b' } },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a NUL byte in a string literal',
    query: `mutation { queueExperiment(input: {kind: "selftest", name: "a\\u0000b"}) { run { id } } }`,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a lone high surrogate in a tag',
    query: QUEUE,
    variables: { input: { kind: 'selftest', tags: ['ok', 'bad\ud800'] } },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a lone low surrogate in a string literal',
    query: `mutation { queueExperiment(input: {kind: "selftest", name: "\\udc00x"}) { run { id } } }`,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a NUL byte in a config key',
    query: QUEUE,
    variables: { input: { kind: 'selftest', config: { 'si\u0000ze': 8 } } },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'other control characters in a job kind',
    query: QUEUE,
    variables: { input: { kind: 'self\u0007test\r\n' } },
    code: 'BAD_USER_INPUT',
  },
  {
    name: `a filter nested ${MAX_JSON_DEPTH * 30} levels deep in variables`,
    query: RUNS_FILTERED,
    variables: {
      filter: JSON.parse(
        `${'{"and": ['.repeat(MAX_JSON_DEPTH * 30)}{}${']}'.repeat(MAX_JSON_DEPTH * 30)}`,
      ),
    },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a config nested past the JSON depth limit',
    query: QUEUE,
    variables: {
      input: { kind: 'selftest', config: { size: JSON.parse(deepArray(MAX_JSON_DEPTH + 1)) } },
    },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a literal nested 5000 levels deep in the query text',
    query: `mutation { queueExperiment(input: {kind: "selftest", config: {size: ${deepArray(5000)}}}) {
      run { id } } }`,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'config {size: NaN} in the query text',
    query: `mutation { queueExperiment(input: {kind: "selftest", config: {size: NaN}}) { run { id } } }`,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'config {size: Infinity} in the query text',
    query: `mutation { queueExperiment(input: {kind: "selftest", config: {repeats: Infinity}}) {
      run { id } } }`,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a non-UUID id to cancelRun',
    query: `mutation { cancelRun(id: "42") { userErrors { field code } } }`,
    code: 'BAD_USER_INPUT',
    userError: true,
  },
  {
    name: 'an SQL injection as the id to retryRun',
    query: `mutation { retryRun(id: "1'; DELETE FROM run; --") { userErrors { field code } } }`,
    code: 'BAD_USER_INPUT',
    userError: true,
  },
  {
    name: 'a non-UUID id to cloneRun',
    query: `mutation { cloneRun(id: "../../etc", configPatch: {size: 8}) { userErrors { field code } } }`,
    code: 'BAD_USER_INPUT',
    userError: true,
  },
  {
    name: 'an SQL injection as the job kind',
    query: QUEUE,
    variables: { input: { kind: "selftest'; DROP TABLE run; --" } },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an SQL injection as a run id',
    query: `{ run(id: "' OR '1'='1") { id } }`,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an SQL injection in a filter path',
    query: RUNS_FILTERED,
    variables: { filter: { config: [{ path: "size') OR 1=1 --..x", gte: 1 }] } },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a page of a million runs',
    query: '{ runs(first: 1000000) { edges { node { id } } } }',
    code: 'BAD_USER_INPUT',
  },
  {
    name: '10,000 run ids to compare',
    query: `query($ids: [ID!]!) { compare(runIds: $ids) { runs { id config } } }`,
    variables: { ids: Array.from({ length: 10_000 }, () => SOME_ID) },
    code: 'BAD_USER_INPUT',
  },
  {
    name: '100,000 tags on one run',
    query: QUEUE,
    variables: {
      input: { kind: 'selftest', tags: Array.from({ length: 100_000 }, (_, i) => `t${i}`) },
    },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a sweep of a million grid points',
    query: `mutation($values: [JSON!]) { queueSweep(input: {kind: "selftest",
      parameters: [{path: "size", values: $values}, {path: "seed", values: $values}]}) { sweep { id } } }`,
    variables: { values: Array.from({ length: 1000 }, (_, i) => i + 1) },
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a __proto__ key among the variables themselves',
    query: QUEUE,
    variables: JSON.parse(
      '{"input": {"kind": "selftest"}, "__proto__": {"polluted": true}}',
    ) as Record<string, unknown>,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a constructor key in a typed input object',
    query: RUNS_FILTERED,
    variables: { filter: JSON.parse('{"constructor": {"prototype": {"x": 1}}}') as unknown },
    code: 'BAD_USER_INPUT',
  },
];

function codesOf(
  result: { data?: unknown; errors?: readonly { extensions?: { code?: unknown } }[] } | undefined,
  userError: boolean,
): unknown[] | undefined {
  if (!userError) return result?.errors?.map((e) => e.extensions?.code);
  const payload = Object.values(
    (result?.data ?? {}) as Record<string, { userErrors?: { code: string }[] }>,
  )[0];
  return payload?.userErrors?.map((e) => e.code);
}

describe.each(databaseTargets())('abusive GraphQL requests on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    // Apollo would put stack traces in responses outside production and test, unless told not to.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    try {
      api = await startTestApi(database);
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    await queueSelftest(database.db, { size: 8 });
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it.each(CASES)('over HTTP: $name -> $code', async ({ query, variables, code, userError }) => {
    const before = await rowCounts(database);
    const response = await api.gql(query, variables);
    expect(codesOf(response, userError === true)).toEqual([code]);
    expect(JSON.stringify(response)).not.toMatch(/stacktrace|\bat .+\.(ts|js):\d+/);
    expect(await rowCounts(database)).toEqual(before);
    await expectServesNormally(api);
  });

  it.each(CASES)(
    'over WebSocket: $name -> $code',
    async ({ query, variables, code, userError }) => {
      const before = await rowCounts(database);
      const client = wsClientFrom(api.url, undefined);
      const { results, error } = await runOverWebSocket(client, query, variables);
      await client.dispose();
      const refused = Array.isArray(error)
        ? { errors: error as { extensions?: { code?: unknown } }[] }
        : results[0];
      expect(codesOf(refused, userError === true)).toEqual([code]);
      expect(JSON.stringify(refused)).not.toMatch(/stacktrace|\bat .+\.(ts|js):\d+/);
      expect(await rowCounts(database)).toEqual(before);
      await expectServesNormally(api);
    },
  );

  const RAW_BODIES: { name: string; body: string; contentType?: string; status: number }[] = [
    { name: 'malformed JSON', body: '{"query": "{ runs(first: 1) { totalCount } }"', status: 400 },
    {
      name: 'a body over 1 MB',
      body: JSON.stringify({
        query: `{ runs(first: 1) { totalCount } }`,
        pad: 'x'.repeat(1_100_000),
      }),
      status: 413,
    },
    {
      name: 'an unsupported charset',
      body: '{}',
      contentType: 'application/json; charset=latin9',
      status: 415,
    },
    { name: 'a query that is not a string', body: '{"query": 42}', status: 400 },
    {
      name: 'a batch of operations',
      body: '[{"query": "{ runs(first: 1) { totalCount } }"}]',
      status: 400,
    },
    { name: 'JSON with no query', body: '{"variables": {}}', status: 400 },
  ];

  it.each(RAW_BODIES)(
    'answers $name in GraphQL JSON with BAD_USER_INPUT',
    async ({ body, contentType, status }) => {
      const before = await rowCounts(database);
      const response = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': contentType ?? 'application/json' },
        body,
      });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(
        /^application\/(graphql-response\+)?json/,
      );
      const answer = (await response.json()) as {
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors?.[0]?.message).not.toMatch(/\bat .+\.(ts|js):\d+/);
      expect(await rowCounts(database)).toEqual(before);
      await expectServesNormally(api);
    },
  );

  it('closes a WebSocket whose message is over 1 MiB, writing nothing', async () => {
    const before = await rowCounts(database);
    const client = wsClientFrom(api.url, undefined);
    const padding = 'x'.repeat(MAX_REQUEST_BYTES);
    const { results, error } = await runOverWebSocket(client, QUEUE, {
      input: { kind: 'selftest', name: 'big', tags: [padding] },
    });
    await client.dispose();
    expect(results).toEqual([]);
    expect((error as { code?: number }).code).toBe(1009);
    expect(await rowCounts(database)).toEqual(before);
    await expectServesNormally(api);
  });

  it('keeps stack traces out of every error, even an unauthenticated one', async () => {
    const guarded = await startTestApi(database, 'on');
    try {
      const response = await guarded.gql('{ runs(first: 1) { totalCount } }');
      expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(JSON.stringify(response)).not.toMatch(/stacktrace/);
    } finally {
      await guarded.stop();
    }
  });
});
