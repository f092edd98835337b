import { describe, expect, it } from 'vitest';
import {
  EXPENSIVE_QUERY_COST,
  ExpensiveQueryGate,
} from '../../src/graphql/expensive-query-gate.ts';

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('the expensive-query gate', () => {
  it('admits expensive requests one at a time, in order, and cheap ones at once', async () => {
    const gate = new ExpensiveQueryGate();
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
