import { describe, expect, it } from 'vitest';
import {
  EXPENSIVE_QUERY_COST,
  ExpensiveQueryGate,
} from '../../src/graphql/expensive-query-gate.ts';
import { settled } from './settled.ts';

describe('the expensive-query gate', () => {
  it('admits expensive requests one at a time, in order, and cheap ones at once', async () => {
    // The whole of the time: turns pass on at once (the share is tested below).
    const gate = new ExpensiveQueryGate(EXPENSIVE_QUERY_COST, 1, 1);
    const first = await gate.admit(EXPENSIVE_QUERY_COST);
    const second = gate.admit(4999);
    const third = gate.admit(EXPENSIVE_QUERY_COST + 1);
    expect(await settled(second)).toBe(false);
    // Cheap and unpriced requests never wait.
    expect(await settled(gate.admit(EXPENSIVE_QUERY_COST - 1))).toBe(true);
    expect(await settled(gate.admit(undefined))).toBe(true);

    first();
    first(); // a second release of the same turn changes nothing
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(false);
    (await second)();
    expect(await settled(third)).toBe(true);
    (await third)();
    // The gate is free again.
    expect(await settled(gate.admit(EXPENSIVE_QUERY_COST))).toBe(true);
  });
});

describe('the expensive-query gate over time', () => {
  it('starts the next expensive request only after its share of the time has passed', async () => {
    const gate = new ExpensiveQueryGate(EXPENSIVE_QUERY_COST, 1, 0.5);
    const first = await gate.admit(EXPENSIVE_QUERY_COST);
    await new Promise((resolve) => setTimeout(resolve, 60));
    first();
    const started = performance.now();
    const second = gate.admit(EXPENSIVE_QUERY_COST);
    expect(await settled(second)).toBe(false);
    // A turn of 60 ms at a share of one half: the next waits as long again.
    expect(await settled(gate.admit(EXPENSIVE_QUERY_COST - 1))).toBe(true);
    (await second)();
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('refuses a share outside (0, 1]', () => {
    expect(() => new ExpensiveQueryGate(EXPENSIVE_QUERY_COST, 1, 0)).toThrow(
      "the expensive requests' share of time must be in (0, 1], got 0",
    );
    expect(() => new ExpensiveQueryGate(EXPENSIVE_QUERY_COST, 1, 1.5)).toThrow('got 1.5');
  });
});

describe('the expensive-query gate when requests leave', () => {
  it('drops a waiting request whose client has gone, and passes the turn to the next', async () => {
    const gate = new ExpensiveQueryGate(EXPENSIVE_QUERY_COST, 1, 1);
    const first = await gate.admit(EXPENSIVE_QUERY_COST);
    const client = new AbortController();
    const abandoned = gate.admit(EXPENSIVE_QUERY_COST, client.signal);
    const next = gate.admit(EXPENSIVE_QUERY_COST);
    client.abort();
    await expect(abandoned).rejects.toMatchObject({
      message: 'the request was abandoned by its client before its turn came',
      extensions: { code: 'UNAVAILABLE' },
    });
    first();
    expect(await settled(next)).toBe(true);
    (await next)();
    // A signal aborted before the request arrives at a busy gate: refused at once.
    const busy = await gate.admit(EXPENSIVE_QUERY_COST);
    await expect(gate.admit(EXPENSIVE_QUERY_COST, AbortSignal.abort())).rejects.toMatchObject({
      extensions: { code: 'UNAVAILABLE' },
    });
    busy();
    expect(await settled(gate.admit(EXPENSIVE_QUERY_COST))).toBe(true);
  });

  it('once closed, refuses the waiting and later expensive requests but not cheap ones', async () => {
    const gate = new ExpensiveQueryGate(EXPENSIVE_QUERY_COST, 1, 1);
    const running = await gate.admit(EXPENSIVE_QUERY_COST);
    const waiting = gate.admit(EXPENSIVE_QUERY_COST);
    gate.close();
    const stopping = {
      message: 'the API is stopping: send the request again once it is back',
      extensions: { code: 'UNAVAILABLE' },
    };
    await expect(waiting).rejects.toMatchObject(stopping);
    await expect(gate.admit(EXPENSIVE_QUERY_COST)).rejects.toMatchObject(stopping);
    expect(await settled(gate.admit(EXPENSIVE_QUERY_COST - 1))).toBe(true);
    running(); // the running request still finishes and releases its turn
  });
});
