import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { parse } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { identifyViewer } from '../../../api/src/auth/viewer.ts';
import { ChangeFeed } from '../../../api/src/events/change-feed.ts';
import { PathRoots } from '../../../api/src/files/path-roots.ts';
import { createContext } from '../../../api/src/graphql/context.ts';
import {
  EXPENSIVE_QUERY_COST,
  ExpensiveQueryGate,
} from '../../../api/src/graphql/expensive-query-gate.ts';
import { checkOperation } from '../../../api/src/graphql/limits.ts';
import { getSchema } from '../../../api/src/graphql/schema.ts';
import { serveGraphQLOverWebSocket } from '../../../api/src/graphql/websocket.ts';
import { queueSelftest } from '../../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../../test/support/test-database.ts';
import { settled } from './settled.ts';
import { runOverWebSocket, wsClientFrom } from './websocket.ts';

const EXPENSIVE = '{ runs(first: 100) { edges { node { id metrics { key value } } } } }';
const CHEAP = '{ runs(first: 1) { totalCount } }';

describe.each(databaseTargets())('the expensive-query gate over WebSocket on $name', (target) => {
  let database: TestDatabase;
  let changes: ChangeFeed;
  let httpServer: http.Server;
  let ws: Disposable;
  let apiUrl: string;
  // The gate the API shares between transports; this test holds its turn itself.
  const gate = new ExpensiveQueryGate(EXPENSIVE_QUERY_COST, 1, 1);

  beforeAll(async () => {
    database = await createTestDatabase(target);
    await queueSelftest(database.db, { size: 8 });
    const schema = await getSchema();
    changes = new ChangeFeed(database.url);
    httpServer = http.createServer();
    const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
    ws = serveGraphQLOverWebSocket(
      wsServer,
      schema,
      async (_authorization, signal) =>
        createContext(database.db, changes, await identifyViewer(database.db, 'off', undefined), {
          paths: new PathRoots([tmpdir()]),
          signal,
        }),
      gate,
    );
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    // The premise: the query is priced as expensive, the other as cheap.
    const cost = (query: string) =>
      checkOperation(schema, parse(query), { includeSpecifiedRules: true }).cost;
    expect(cost(EXPENSIVE)).toBeGreaterThanOrEqual(EXPENSIVE_QUERY_COST);
    expect(cost(CHEAP)).toBeLessThan(EXPENSIVE_QUERY_COST);
  });
  afterAll(async () => {
    await ws?.dispose();
    await new Promise((resolve) => httpServer?.close(resolve));
    await database?.drop();
  });

  it('holds an expensive operation until its turn while a cheap one passes', async () => {
    const release = await gate.admit(EXPENSIVE_QUERY_COST);
    const client = wsClientFrom(apiUrl, undefined);
    let expensiveDone = false;
    const expensive = runOverWebSocket(client, EXPENSIVE).then((outcome) => {
      expensiveDone = true;
      return outcome;
    });
    const cheap = await runOverWebSocket(client, CHEAP);
    expect(cheap.results[0]?.data).toEqual({ runs: { totalCount: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(expensiveDone).toBe(false);

    release();
    const { results, error } = await expensive;
    await client.dispose();
    expect(error).toBeUndefined();
    expect(results[0]?.errors).toBeUndefined();
    expect(results[0]?.data).toMatchObject({
      runs: { edges: [{ node: { id: expect.any(String) } }] },
    });
  });

  it('drops a waiting operation when its socket closes, and passes the turn on', async () => {
    const release = await gate.admit(EXPENSIVE_QUERY_COST);
    const client = wsClientFrom(apiUrl, undefined);
    const expensive = runOverWebSocket(client, EXPENSIVE);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.dispose();
    await expensive;
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    // Had the closed socket's operation kept its place, it would hold the turn now.
    const next = gate.admit(EXPENSIVE_QUERY_COST);
    expect(await settled(next)).toBe(true);
    (await next)();
  });
});
