import { describe, expect, it } from 'vitest';
import { liveFeedHref, liveOperations } from '../../web/lib/live-feed.ts';

const RUN = '0b7c6a1e-2f3d-4c5b-8a9e-1d2c3b4a5f60';

describe("the live feed's query string", () => {
  it('follows every run without a run, one run after a step with one', () => {
    expect(liveOperations(new URLSearchParams()).map((op) => op.query)).toEqual([
      expect.stringContaining('runsChanged'),
    ]);
    const operations = liveOperations(
      new URL(`http://x${liveFeedHref({ id: RUN, afterStep: 41 })}`).searchParams,
    );
    expect(operations.map((op) => op.variables)).toEqual([
      { id: RUN },
      { runId: RUN, afterStep: 41 },
    ]);
    expect(liveOperations(new URLSearchParams({ run: RUN }))[1]!.variables.afterStep).toBe(-1);
    // runUpdated sends the run as it is first: the page shows that already.
    expect(operations.map((op) => op.firstEventIsState ?? false)).toEqual([true, false]);
  });

  it.each([
    [{ run: '1a2b3c4d' }, /run: "1a2b3c4d" is not a run id: give the run's full id/],
    [{ run: RUN, afterStep: 'x' }, /afterStep: "x" is not a step/],
    [{ run: RUN, afterStep: '-2' }, /afterStep: "-2" is not a step/],
    [{ run: RUN, afterStep: '1.5' }, /afterStep: "1.5" is not a step/],
  ])('refuses %o naming the parameter', (params, message) => {
    expect(() => liveOperations(new URLSearchParams(params))).toThrow(message);
  });
});
