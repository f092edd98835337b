import { describe, expect, it } from 'vitest';
import { compareHref } from '../../web/lib/compare-href.ts';
import {
  leaderboardFilter,
  leaderboardHref,
  leaderboardOrder,
  parseLeaderboardQuery,
  type LeaderboardQuery,
} from '../../web/lib/leaderboard-query.ts';
import { firstParam, listParam } from '../../web/lib/search-params.ts';

function paramsOf(href: string): Record<string, string> {
  return Object.fromEntries(new URL(href, 'http://dashboard').searchParams);
}

describe('query parameters', () => {
  it('reads lists written with commas, repeated, or both, once each', () => {
    expect(listParam(['a, b', 'c', 'a', ''])).toEqual(['a', 'b', 'c']);
    expect(listParam('x,,y')).toEqual(['x', 'y']);
    expect(listParam(undefined)).toEqual([]);
    expect(firstParam(['', 'b'])).toBeNull();
    expect(firstParam(['a', 'b'])).toBe('a');
  });
});

describe('the leaderboard URL', () => {
  const query: LeaderboardQuery = parseLeaderboardQuery({
    sort: 'retention',
    dir: 'asc',
    kind: ['factorize,distill', 'factorize'],
    tag: 'nightly',
    after: 'CURSOR',
    x: 'decodeTokS',
  });

  it('parses into the sort, filters, page and axes, with defaults for the rest', () => {
    expect(query).toEqual({
      sort: 'retention',
      direction: 'ASC',
      kinds: ['factorize', 'distill'],
      tags: ['nightly'],
      after: 'CURSOR',
      x: 'decodeTokS',
      y: null,
    });
    expect(parseLeaderboardQuery({ dir: 'sideways' })).toMatchObject({
      sort: 'finished',
      direction: 'DESC',
      kinds: [],
    });
  });

  it('asks the API for a metric or a field order, and a filter only when there is one', () => {
    expect(leaderboardOrder(query)).toEqual({ metricKey: 'retention', direction: 'ASC' });
    expect(leaderboardOrder({ ...query, sort: 'runs' })).toEqual({
      field: 'RUN_COUNT',
      direction: 'ASC',
    });
    expect(leaderboardFilter(query)).toEqual({ kind: ['factorize', 'distill'], tags: ['nightly'] });
    expect(leaderboardFilter({ ...query, kinds: [], tags: [] })).toBeNull();
  });

  it('writes back what it parsed, so a view can be shared', () => {
    const href = leaderboardHref(query, {});
    expect(parseLeaderboardQuery(paramsOf(href))).toEqual(query);
    expect(leaderboardHref(parseLeaderboardQuery({}), {})).toBe('/leaderboard');
  });

  it('starts from the first page on a new sort or filter, but not on a new chart axis', () => {
    expect(paramsOf(leaderboardHref(query, { sort: 'speedup', direction: 'DESC' }))).toEqual({
      sort: 'speedup',
      dir: 'desc',
      kind: 'factorize,distill',
      tag: 'nightly',
      x: 'decodeTokS',
    });
    expect(paramsOf(leaderboardHref(query, { tags: [] })).after).toBeUndefined();
    expect(paramsOf(leaderboardHref(query, { y: 'accuracy' })).after).toBe('CURSOR');
  });

  it('links the compare page to the ticked runs in order, differing keys by default', () => {
    expect(compareHref(['b', 'a'])).toBe('/compare?runs=b,a');
    expect(compareHref(['b', 'a'], false)).toBe('/compare?runs=b,a&all=1');
  });
});
