import { describe, expect, it } from 'vitest';
import { liveFeedHref, liveFeedKey, liveOperations } from '../../web/lib/live-feed.ts';

const RUN = '0b7c6a1e-2f3d-4c5b-8a9e-1d2c3b4a5f60';

describe("the live feed's query string", () => {
  it('follows every run without a run, one run after a step with one', () => {
    expect(liveOperations(new URLSearchParams()).map((op) => op.query)).toEqual([
      expect.stringContaining('runsChanged'),
    ]);
    const operations = liveOperations(
      new URL(`http://x${liveFeedHref({ run: { id: RUN, afterStep: 41 } })}`).searchParams,
    );
    expect(operations.map((op) => op.variables)).toEqual([
      { id: RUN },
      { runId: RUN, afterStep: 41 },
    ]);
    expect(liveOperations(new URLSearchParams({ run: RUN }))[1]!.variables.afterStep).toBe(-1);
    // runUpdated sends the run as it is first: the page shows that already.
    expect(operations.map((op) => op.firstEventIsState ?? false)).toEqual([true, false]);
  });

  it("follows a set of runs' or a sweep's runs' changes and metric points, or the workers", () => {
    const OTHER = '1c8d7b2f-3a4e-4d6c-9b0f-2e3d4c5b6a71';
    const ofHref = (href: string) => liveOperations(new URL(`http://x${href}`).searchParams);
    const compared = ofHref(liveFeedHref({ runIds: [RUN, OTHER] }));
    expect(compared.map((op) => [op.variables, op.firstEventIsState ?? false])).toEqual([
      [{ ids: [RUN, OTHER] }, false],
    ]);
    expect(compared[0]!.query).toMatch(/runsChanged\(ids: \$ids, metrics: true\)/);
    const sweep = ofHref(liveFeedHref({ sweepId: RUN }));
    expect(sweep.map((op) => op.variables)).toEqual([{ sweepId: RUN }]);
    expect(sweep[0]!.query).toMatch(/runsChanged\(sweepId: \$sweepId, metrics: true\)/);
    const workers = ofHref(liveFeedHref({ workers: true }));
    expect(workers.map((op) => op.query)).toEqual([expect.stringContaining('workersChanged')]);
    // A run page's feed is the same feed whatever step it shows.
    expect(liveFeedKey({ run: { id: RUN, afterStep: 3 } })).toBe(
      liveFeedKey({ run: { id: RUN, afterStep: 9 } }),
    );
    expect(liveFeedKey({ runIds: [RUN] })).not.toBe(liveFeedKey({ runIds: [RUN, OTHER] }));
  });

  it.each([
    [{ runs: `${RUN},1a2b3c4d` }, /runs: "1a2b3c4d" is not a run id/],
    [{ runs: '' }, /runs: give 1 to 50 run ids/],
    [{ runs: Array.from({ length: 51 }, () => RUN).join(',') }, /runs: give 1 to 50 run ids/],
    [{ sweep: 'nightly' }, /sweep: "nightly" is not a sweep id/],
    [{ run: '1a2b3c4d' }, /run: "1a2b3c4d" is not a run id: give the run's full id/],
    [{ run: RUN, afterStep: 'x' }, /afterStep: "x" is not a step/],
    [{ run: RUN, afterStep: '-2' }, /afterStep: "-2" is not a step/],
    [{ run: RUN, afterStep: '1.5' }, /afterStep: "1.5" is not a step/],
  ])('refuses %o naming the parameter', (params, message) => {
    expect(() => liveOperations(new URLSearchParams(params))).toThrow(message);
  });
});
