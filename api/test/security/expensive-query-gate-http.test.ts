import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EXPENSIVE_QUERY_COST,
  ExpensiveQueryGate,
} from '../../../api/src/graphql/expensive-query-gate.ts';
import { postGraphQL, startTestApi, type TestApi } from '../../../test/support/api.ts';
import { queueSelftest } from '../../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../../test/support/test-database.ts';
import { settled } from './settled.ts';

const EXPENSIVE = '{ runs(first: 100) { edges { node { id metrics { key value } } } } }';

describe.each(databaseTargets())('the expensive-query gate over HTTP on $name', (target) => {
  let database: TestDatabase;
  let api: TestApi | undefined;
  // The whole of the time: a freed turn passes on at once, so a waiter that took it would show.
  let gate: ExpensiveQueryGate;

  beforeEach(async () => {
    database = await createTestDatabase(target);
    await queueSelftest(database.db, { size: 8 });
    gate = new ExpensiveQueryGate(EXPENSIVE_QUERY_COST, 1, 1);
    api = await startTestApi(database, 'off', { gate });
  });
  afterEach(async () => {
    await api?.stop();
    await database?.drop();
  });

  /** Holds the gate's turn until `expensive` is queued behind it. */
  async function waitingBehind(held: Promise<() => void>, client?: AbortController) {
    const release = await held;
    const answer = fetch(`${api!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: EXPENSIVE }),
      signal: client?.signal,
    });
    answer.catch(() => {}); // an aborted request rejects; the test looks at the gate instead
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { release, answer };
  }

  it('never runs a waiting request whose client disconnected, and passes the turn on', async () => {
    const client = new AbortController();
    const { release, answer } = await waitingBehind(gate.admit(EXPENSIVE_QUERY_COST), client);
    client.abort();
    await expect(answer).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    // Had the abandoned request kept its place, it would hold the turn now.
    const next = gate.admit(EXPENSIVE_QUERY_COST);
    expect(await settled(next)).toBe(true);
    (await next)();
    // The API answers as before.
    const again = await postGraphQL<{ runs: { edges: unknown[] } }>(api!.url, EXPENSIVE);
    expect(again.errors).toBeUndefined();
    expect(again.data?.runs.edges).toHaveLength(1);
  });

  it('answers a waiting request UNAVAILABLE when the API stops', async () => {
    const { answer } = await waitingBehind(gate.admit(EXPENSIVE_QUERY_COST));
    const stopped = api!.stop();
    api = undefined;
    const body = (await (await answer).json()) as {
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    await stopped;
    expect(body.errors).toEqual([
      {
        message: 'the API is stopping: send the request again once it is back',
        extensions: { code: 'UNAVAILABLE' },
      },
    ]);
  });
});
