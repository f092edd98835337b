import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../../test/support/test-database.ts';
import { expectServesNormally, rowCounts } from './guard.ts';
import { handshakeStatus, runOverWebSocket, wsClientFrom } from './websocket.ts';

const ALLOWED = 'https://dashboard.example.org';
const QUEUE = `mutation { queueExperiment(input: {kind: "selftest", config: {size: 8}}) { run { id } } }`;

async function post(api: TestApi, origin: string | undefined, body: string) {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(databaseTargets())('one origin policy for HTTP and WebSocket on $name', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  let ownOrigin: string;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database, 'off', { allowedOrigins: [ALLOWED] });
    ownOrigin = new URL(api.url).origin;
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  const FOREIGN = ['https://evil.example', 'null', 'http://127.0.0.1:1', 'not an origin'];

  it.each(FOREIGN)(
    'refuses a mutation over HTTP from origin %s, writing nothing',
    async (origin) => {
      const before = await rowCounts(database);
      const { status, body } = await post(api, origin, JSON.stringify({ query: QUEUE }));
      expect(status).toBe(403);
      expect(body).toEqual({
        errors: [
          {
            message: expect.stringMatching(/FACTORLAB_ALLOWED_ORIGINS|not an origin/),
            extensions: { code: 'FORBIDDEN' },
          },
        ],
      });
      expect(await rowCounts(database)).toEqual(before);
      await expectServesNormally(api);
    },
  );

  it.each(FOREIGN.slice(0, 3))('refuses the WebSocket handshake from origin %s', async (origin) => {
    expect(await handshakeStatus(api.url, origin)).toBe(403);
    const before = await rowCounts(database);
    const client = wsClientFrom(api.url, origin);
    const { results, error } = await runOverWebSocket(client, QUEUE);
    await client.dispose();
    expect(results).toEqual([]);
    expect(error).toBeDefined();
    expect(await rowCounts(database)).toEqual(before);
    await expectServesNormally(api);
  });

  it('refuses the export endpoint to a foreign origin too', async () => {
    const response = await fetch(`${api.url}/export/runs.json`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      errors: [{ extensions: { code: 'FORBIDDEN' } }],
    });
  });

  it('serves its own origin, a configured origin and callers without an Origin over HTTP', async () => {
    for (const origin of [ownOrigin, ALLOWED, undefined]) {
      const { status, body } = await post(api, origin, JSON.stringify({ query: QUEUE }));
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
  });

  it('serves its own origin, a configured origin and callers without an Origin over WebSocket', async () => {
    for (const origin of [ownOrigin, ALLOWED, undefined]) {
      const client = wsClientFrom(api.url, origin);
      const { results, error } = await runOverWebSocket(client, QUEUE);
      await client.dispose();
      expect(error).toBeUndefined();
      expect(results[0]?.errors).toBeUndefined();
      expect(results[0]?.data).toMatchObject({
        queueExperiment: { run: { id: expect.any(String) } },
      });
    }
  });
});
