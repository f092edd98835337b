import { describe, expect, it } from 'vitest';
import {
  extentOf,
  formatTick,
  linearScale,
  niceTicks,
  padExtent,
  padFlat,
} from '../../web/lib/chart-scale.ts';
import { paretoFront } from '../../web/lib/pareto.ts';

describe('chart scales', () => {
  it('takes the extent of finite values only', () => {
    expect(extentOf([3, Number.NaN, -1, Infinity, 2])).toEqual({ lo: -1, hi: 3 });
    expect(extentOf([Number.NaN])).toBeNull();
    expect(extentOf([])).toBeNull();
  });

  it('widens flat extents so a lone value sits mid-axis, and pads others by a fraction', () => {
    expect(padFlat({ lo: 0, hi: 0 })).toEqual({ lo: -1, hi: 1 });
    expect(padFlat({ lo: 100, hi: 100 })).toEqual({ lo: 95, hi: 105 });
    expect(padFlat({ lo: 1, hi: 2 })).toEqual({ lo: 1, hi: 2 });
    expect(padExtent({ lo: 0, hi: 10 }, 0.1)).toEqual({ lo: -1, hi: 11 });
  });

  it('maps a domain onto pixels, y axes upside down', () => {
    const x = linearScale({ lo: 0, hi: 10 }, { from: 50, to: 150 });
    expect([x(0), x(5), x(10)]).toEqual([50, 100, 150]);
    const y = linearScale({ lo: 0, hi: 1 }, { from: 200, to: 0 });
    expect([y(0), y(0.25), y(1)]).toEqual([200, 150, 0]);
    expect(linearScale({ lo: 3, hi: 3 }, { from: 0, to: 10 })(3)).toBe(5);
  });

  it('puts ticks on round numbers inside the extent, without float drift', () => {
    expect(niceTicks({ lo: 0, hi: 1 })).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks({ lo: 0.3, hi: 0.95 })).toEqual([0.4, 0.6, 0.8]);
    expect(niceTicks({ lo: 0, hi: 1199 })).toEqual([0, 500, 1000]);
    expect(niceTicks({ lo: -7, hi: 7 })).toEqual([-5, 0, 5]);
    expect(niceTicks({ lo: 2, hi: 2 })).toEqual([2]);
  });

  it('labels ticks briefly', () => {
    expect([0, 0.35, 1500, 12_000, 2.5e6, 3e-5].map(formatTick)).toEqual([
      '0',
      '0.35',
      '1500',
      '12k',
      '2.5e+6',
      '3.0e-5',
    ]);
  });
});

describe('Pareto front', () => {
  const points = [
    { id: 'slow-good', x: 1, y: 0.9 },
    { id: 'dominated', x: 2, y: 0.8 },
    { id: 'also-dominated', x: 1.5, y: 0.7 },
    { id: 'fast-poor', x: 3, y: 0.5 },
    { id: 'balanced', x: 2, y: 0.85 },
  ];

  it('keeps the points nothing beats on both axes, by speed', () => {
    expect(paretoFront(points).map((point) => point.id)).toEqual([
      'slow-good',
      'balanced',
      'fast-poor',
    ]);
  });

  it('reads lower y as better for metrics such as perplexity', () => {
    expect(paretoFront(points, true).map((point) => point.id)).toEqual(['fast-poor']);
    const perplexity = [
      { id: 'a', x: 1, y: 8 },
      { id: 'b', x: 2, y: 9 },
      { id: 'c', x: 1.5, y: 10 },
    ];
    expect(paretoFront(perplexity, true).map((point) => point.id)).toEqual(['a', 'b']);
  });
});
