import { describe, expect, it } from 'vitest';
import { paretoFront } from '../../web/lib/pareto.ts';

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
