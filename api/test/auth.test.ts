import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../api/src/auth/api-keys.ts';
import { ROLES, type Role } from '../../api/src/auth/roles.ts';
import { HTTP_ROUTES } from '../../api/src/graphql/http-routes.ts';
import { getSchema } from '../../api/src/graphql/schema.ts';
import { recordArtifact } from '../../api/src/worker/artifact-record.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { runOverWebSocket, wsClientFrom } from './security/websocket.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

type Caller = Role | 'no key' | 'bad key' | 'revoked key';
const CALLERS: Caller[] = ['no key', 'bad key', 'revoked key', ...ROLES];

/** Every operation of the API and the least role allowed to call it. */
const OPERATIONS: {
  name: string;
  needs: Role;
  /** The operation's text, given a run and another run to work on. */
  query: (runId: string, otherRunId: string) => string;
  /** The error an allowed caller gets, when the operation cannot succeed twice or at all. */
  allowedCode?: string;
}[] = [
  { name: 'run', needs: 'VIEWER', query: (id) => `{ run(id: "${id}") { id } }` },
  { name: 'runs', needs: 'VIEWER', query: () => `{ runs(first: 1) { totalCount } }` },
  {
    name: 'experiments',
    needs: 'VIEWER',
    query: () => `{ experiments(first: 1) { totalCount } }`,
  },
  {
    name: 'experiment',
    needs: 'VIEWER',
    query: () => `{ experiment(id: "00000000-0000-0000-0000-000000000009") { id } }`,
  },
  {
    name: 'experiments.runs',
    needs: 'VIEWER',
    query: () => `{ experiments(first: 1) { edges { node { runs { id } sweepId } } } }`,
  },
  {
    name: 'leaderboard',
    needs: 'VIEWER',
    query: () => `{ leaderboard(first: 1) { totalCount } }`,
  },
  { name: 'models', needs: 'VIEWER', query: () => `{ models(first: 1) { totalCount } }` },
  {
    name: 'model',
    needs: 'VIEWER',
    query: () => `{ model(id: "00000000-0000-0000-0000-000000000009") { id } }`,
  },
  { name: 'datasets', needs: 'VIEWER', query: () => `{ datasets(first: 1) { totalCount } }` },
  {
    name: 'benchmarks',
    needs: 'VIEWER',
    query: () => `{ benchmarks(first: 1) { totalCount } }`,
  },
  {
    name: 'run.benchmarks and run.artifacts',
    needs: 'VIEWER',
    query: (id) => `{ run(id: "${id}") { benchmarks { id } artifacts { id } } }`,
  },
  {
    name: 'run.logs',
    needs: 'VIEWER',
    query: (id) => `{ run(id: "${id}") { logs(last: 5) { lines { seq message } } } }`,
  },
  {
    // The folder is refused, so the mutation succeeds for no one, yet only an editor gets that far.
    name: 'registerModel',
    needs: 'EDITOR',
    query: () =>
      `mutation { registerModel(input: {name: "m", path: "/nonexistent"}) { model { id } } }`,
    allowedCode: 'BAD_USER_INPUT',
  },
  {
    name: 'registerDataset',
    needs: 'EDITOR',
    query: () =>
      `mutation { registerDataset(input: {name: "d", source: "somewhere"}) { dataset { id } } }`,
    allowedCode: 'CONFLICT',
  },
  {
    name: 'queueExperiment',
    needs: 'EDITOR',
    query: () => `mutation { queueExperiment(input: {kind: "selftest"}) { run { id } } }`,
  },
  {
    name: 'cancelRun',
    needs: 'EDITOR',
    query: (id) => `mutation { cancelRun(id: "${id}") { userErrors { code } } }`,
  },
  {
    name: 'retryRun',
    needs: 'EDITOR',
    query: (id) => `mutation { retryRun(id: "${id}") { userErrors { code } } }`,
  },
  {
    name: 'cloneRun',
    needs: 'EDITOR',
    query: (id) => `mutation { cloneRun(id: "${id}") { userErrors { code } } }`,
  },
  {
    name: 'queueSweep',
    needs: 'EDITOR',
    query: () =>
      `mutation { queueSweep(input: {kind: "selftest", parameters: [{path: "size", values: [8, 16]}]}) { sweep { id } } }`,
  },
  {
    name: 'compare',
    needs: 'VIEWER',
    query: (id, other) => `{ compare(runIds: ["${id}", "${other}"]) { runs { id } } }`,
  },
  { name: 'jobKinds', needs: 'VIEWER', query: () => `{ jobKinds { kind } }` },
  { name: 'runId', needs: 'VIEWER', query: (id) => `{ runId(prefix: "${id.slice(0, 8)}") }` },
  {
    name: 'runIds',
    needs: 'VIEWER',
    query: (id) => `{ runIds(prefixes: ["${id.slice(0, 8)}"]) { prefix id problem } }`,
  },
  {
    name: 'sweep',
    needs: 'VIEWER',
    query: () => `{ sweep(id: "00000000-0000-0000-0000-000000000009") { id } }`,
  },
  { name: 'workerStatuses', needs: 'VIEWER', query: () => `{ workerStatuses { id } }` },
];

/** Every HTTP route besides /graphql and /healthz, a request that reaches it, and its least role. */
const HTTP_REQUESTS: { route: string; needs: Role; url: (artifactId: string) => string }[] = [
  { route: '/export/runs.csv', needs: 'VIEWER', url: () => '/export/runs.csv' },
  { route: '/export/runs.json', needs: 'VIEWER', url: () => '/export/runs.json' },
  { route: '/artifacts/:artifactId', needs: 'VIEWER', url: (id) => `/artifacts/${id}` },
  { route: '/artifacts/:artifactId/files', needs: 'VIEWER', url: (id) => `/artifacts/${id}/files` },
  {
    route: '/artifacts/:artifactId/files/*name',
    needs: 'VIEWER',
    url: (id) => `/artifacts/${id}/files/report.json`,
  },
];

const HTTP_STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403 };

/** The operation's root field: `{ run(id: ...) ...}` is `run`. */
function rootField(query: string): string {
  return /^\s*(?:mutation\s*)?\{\s*(\w+)/.exec(query)![1]!;
}

/** The codes of the errors a response carried, in order; none when it succeeded. */
function errorCodes(errors: readonly { extensions?: { code?: unknown } }[] | undefined) {
  return errors === undefined || errors.length === 0
    ? undefined
    : errors.map((error) => error.extensions?.code);
}

/** One operation over graphql-ws with `token` as its connection's key; its error codes. */
async function codesOverWebSocket(apiUrl: string, query: string, token: string | undefined) {
  const client = wsClientFrom(apiUrl, undefined, token);
  try {
    const { results, error } = await runOverWebSocket(client, query);
    if (error !== undefined) {
      // graphql-ws hands refused operations to the sink as the array of their errors.
      if (Array.isArray(error)) return errorCodes(error as { extensions?: { code?: unknown } }[]);
      throw new Error(`the socket failed: ${String(error)}`);
    }
    return errorCodes(results.flatMap((result) => result.errors ?? []));
  } finally {
    await client.dispose();
  }
}

const RANK: Record<Role, number> = { VIEWER: 0, EDITOR: 1, ADMIN: 2 };

function expectedCode(caller: Caller, needs: Role, allowedCode?: string): string | null {
  if (caller === 'no key' || caller === 'bad key' || caller === 'revoked key') {
    return 'UNAUTHENTICATED';
  }
  return RANK[caller] >= RANK[needs] ? (allowedCode ?? null) : 'FORBIDDEN';
}

describe.each(databaseTargets())('API keys and roles on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  let runId: string;
  let otherRunId: string;
  let artifactId: string;
  let scratch: string;
  const tokens = new Map<Caller, string | undefined>();

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database, 'on');
    for (const role of ROLES) {
      tokens.set(role, (await createApiKey(database.db, { name: role, role })).token);
    }
    const revoked = await createApiKey(database.db, { name: 'old', role: 'ADMIN' });
    await revokeApiKey(database.db, revoked.prefix);
    tokens.set('revoked key', revoked.token);
    tokens.set('bad key', 'flk_notarealkey_abc');
    tokens.set('no key', undefined);
    runId = (await queueSelftest(database.db, { size: 8 })).id;
    otherRunId = (await queueSelftest(database.db, { size: 16 })).id;
    // Taken, so registerDataset by an allowed caller reaches the database and is refused there.
    await database.db.dataset.create({ data: { name: 'd', source: 'elsewhere' } });
    // A report under the test API's path root, for the download routes.
    scratch = await mkdtemp(path.join(tmpdir(), 'factorlab-auth-'));
    await writeFile(path.join(scratch, 'report.json'), '{"ok": true}\n');
    await recordArtifact(database.db, runId, {
      kind: 'REPORT',
      path: path.join(scratch, 'report.json'),
    });
    artifactId = (await database.db.artifact.findFirstOrThrow({ where: { runId } })).id;
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const matrix = OPERATIONS.flatMap((operation) =>
    CALLERS.map((caller) => ({
      operation: operation.name,
      caller,
      query: operation.query,
      code: expectedCode(caller, operation.needs, operation.allowedCode),
    })),
  );

  it.each(matrix)('$operation by $caller: $code', async ({ caller, query, code }) => {
    const response = await api.gql(query(runId, otherRunId), {}, tokens.get(caller));
    expect(errorCodes(response.errors)).toEqual(code === null ? undefined : [code]);
  });

  it.each(matrix)(
    '$operation by $caller over WebSocket: $code',
    async ({ caller, query, code }) => {
      const codes = await codesOverWebSocket(api.url, query(runId, otherRunId), tokens.get(caller));
      expect(codes).toEqual(code === null ? undefined : [code]);
    },
  );

  it('covers every query and mutation the schema has', async () => {
    const schema = await getSchema();
    const roots = [schema.getQueryType()!, schema.getMutationType()!];
    const fields = roots.flatMap((type) => Object.keys(type.getFields())).sort();
    expect(
      [
        ...new Set(OPERATIONS.map((operation) => rootField(operation.query(runId, otherRunId)))),
      ].sort(),
    ).toEqual(fields);
  });

  const httpMatrix = HTTP_REQUESTS.flatMap((request) =>
    CALLERS.map((caller) => ({
      route: request.route,
      caller,
      url: request.url,
      code: expectedCode(caller, request.needs),
    })),
  );

  it.each(httpMatrix)('GET $route by $caller: $code', async ({ caller, url, code }) => {
    const token = tokens.get(caller);
    const response = await fetch(`${api.url}${url(artifactId)}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(code === null ? 200 : HTTP_STATUS[code]);
    if (code !== null) {
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(errorCodes(body.errors)).toEqual([code]);
    } else await response.arrayBuffer();
  });

  it('covers every HTTP route the API registers', () => {
    expect(HTTP_REQUESTS.map((request) => request.route).sort()).toEqual(
      HTTP_ROUTES.flatMap((route) => route.paths).sort(),
    );
  });

  it('stores only a hash of each key', async () => {
    const { rows } = await database.sql.query<{ secret_hash: string }>(
      'SELECT secret_hash FROM api_key',
    );
    const stored = rows.map((r) => r.secret_hash).join(' ');
    for (const role of ROLES) {
      const secret = tokens.get(role)!.split('_').slice(2).join('_');
      expect(stored).not.toContain(secret);
    }
  });
});
