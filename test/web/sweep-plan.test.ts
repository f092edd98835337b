import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sweepPoints } from '../../api/src/graphql/sweeps/sweep-points.ts';
import type { SweepParameter } from '../../api/src/graphql/sweeps/sweep.input.ts';
import {
  parseSweepValues,
  planSweep,
  sweepRunCount,
  type ParameterDraft,
  type SweepDraft,
} from '../../web/lib/sweep-plan.ts';

const row = (path: string, values = '', range: Partial<ParameterDraft> = {}): ParameterDraft => ({
  path,
  values,
  min: '',
  max: '',
  logScale: false,
  integer: false,
  ...range,
});

const draft = (changes: Partial<SweepDraft>): SweepDraft => ({
  strategy: 'GRID',
  parameters: [],
  samples: '',
  seed: '',
  maxRuns: '',
  ...changes,
});

/** What the API makes of the plan's input: its point count, or the field and message it refuses. */
function apiVerdict(plan: ReturnType<typeof planSweep>, strategy: 'GRID' | 'RANDOM') {
  try {
    const points = sweepPoints(plan.parameters as SweepParameter[], {
      strategy,
      samples: plan.samples,
      seed: plan.seed,
      maxRuns: plan.maxRuns,
    });
    return { runs: points.length };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const field = error.extensions.field as string;
    return { refused: { field, message: error.message.slice(field.length + 2) } };
  }
}

describe('sweep builder: values and counts', () => {
  it('reads comma-separated values as JSON where they are JSON, else as text', () => {
    expect(parseSweepValues('8, 16,32')).toEqual([8, 16, 32]);
    expect(parseSweepValues('kmeans, "random", true, 0.5')).toEqual([
      'kmeans',
      'random',
      true,
      0.5,
    ]);
    expect(parseSweepValues(' [[1, 2], [3]] ')).toEqual([[1, 2], [3]]);
    expect(parseSweepValues(' , ')).toEqual([]);
    expect(() => parseSweepValues('[1, 2')).toThrow();
  });

  it('counts a grid as the product of value counts and a random sweep as its samples', () => {
    expect(sweepRunCount('GRID', [3, 2, 4], null)).toBe(24);
    expect(sweepRunCount('GRID', [5], null)).toBe(5);
    expect(sweepRunCount('RANDOM', [0, 3], 7)).toBe(7);
  });

  it('leaves blank rows out and remembers which row each parameter came from', () => {
    const plan = planSweep(
      draft({ parameters: [row(''), row('size', '8, 16'), row(''), row('seed', '1,2,3')] }),
    );
    expect(plan.parameters.map((p) => [p.path, p.values])).toEqual([
      ['size', [8, 16]],
      ['seed', [1, 2, 3]],
    ]);
    expect([plan.rows, plan.runs, plan.maxRuns, plan.problems]).toEqual([[1, 3], 6, 100, []]);
  });
});

describe('sweep builder against the API: the same counts, the same refusals', () => {
  const cases: { name: string; refused: boolean; sweep: SweepDraft }[] = [
    {
      name: 'a 3 x 2 grid',
      refused: false,
      sweep: draft({ parameters: [row('a', '1,2,3'), row('b', 'x, y')] }),
    },
    {
      name: 'a grid of 120, over the default cap of 100',
      refused: true,
      sweep: draft({
        parameters: [
          row('a', '1,2,3,4,5,6'),
          row('b', '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20'),
        ],
      }),
    },
    {
      name: 'a grid of exactly its cap',
      refused: false,
      sweep: draft({ parameters: [row('a', '1,2,3,4'), row('b', '1,2')], maxRuns: '8' }),
    },
    {
      name: 'a grid one over its cap',
      refused: true,
      sweep: draft({ parameters: [row('a', '1,2,3'), row('b', '1,2,3')], maxRuns: '8' }),
    },
    {
      name: 'a random sweep of 12 samples over a log range',
      refused: false,
      sweep: draft({
        strategy: 'RANDOM',
        parameters: [row('lr', '', { min: '0.0001', max: '0.1', logScale: true })],
        samples: '12',
        seed: '7',
      }),
    },
    {
      name: 'a random sweep over its cap',
      refused: true,
      sweep: draft({
        strategy: 'RANDOM',
        parameters: [row('size', '8, 16'), row('n', '', { min: '1', max: '9', integer: true })],
        samples: '30',
        maxRuns: '20',
      }),
    },
    {
      name: 'a random sweep without samples',
      refused: true,
      sweep: draft({ strategy: 'RANDOM', parameters: [row('size', '8, 16')] }),
    },
    {
      name: 'a grid parameter without values',
      refused: true,
      sweep: draft({ parameters: [row('a', '1'), row('b', '', { min: '1', max: '2' })] }),
    },
    {
      name: 'a path given twice',
      refused: true,
      sweep: draft({ parameters: [row('a', '1'), row('a', '2')] }),
    },
    {
      name: 'a cap past the limit',
      refused: true,
      sweep: draft({ parameters: [row('a', '1')], maxRuns: '501' }),
    },
  ];

  it.each(cases)('$name', ({ sweep, refused }) => {
    const plan = planSweep(sweep);
    const api = apiVerdict(plan, sweep.strategy);
    expect(api.runs === undefined).toBe(refused);
    if (api.runs !== undefined) {
      expect(plan.problems).toEqual([]);
      expect(plan.runs).toBe(api.runs);
    } else {
      // The API stops at its first refusal; the builder lists every problem, that one among them.
      expect(plan.problems).toContainEqual(api.refused);
    }
  });
});
