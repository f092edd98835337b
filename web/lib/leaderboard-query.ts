import { firstParam, listParam, type SearchParams } from './search-params.ts';

export type Direction = 'ASC' | 'DESC';

/** Sorts the API offers besides metric keys. */
export const FIELD_SORTS = { finished: 'FINISHED_AT', runs: 'RUN_COUNT' } as const;
export type FieldSort = keyof typeof FIELD_SORTS;

/** Everything the leaderboard page shows, as its URL holds it, so any view can be shared. */
export interface LeaderboardQuery {
  /** `finished`, `runs`, or a metric key such as `retention`. */
  sort: string;
  direction: Direction;
  kinds: string[];
  tags: string[];
  after: string | null;
  /** The scatter chart's axes: GraphQL field names of a speed and a quality column. */
  x: string | null;
  y: string | null;
}

export const DEFAULT_SORT: FieldSort = 'finished';

export function parseLeaderboardQuery(params: SearchParams): LeaderboardQuery {
  const direction = firstParam(params.dir)?.toUpperCase();
  return {
    sort: firstParam(params.sort) ?? DEFAULT_SORT,
    direction: direction === 'ASC' ? 'ASC' : 'DESC',
    kinds: listParam(params.kind),
    tags: listParam(params.tag),
    after: firstParam(params.after),
    x: firstParam(params.x),
    y: firstParam(params.y),
  };
}

export function isFieldSort(sort: string): sort is FieldSort {
  return Object.hasOwn(FIELD_SORTS, sort);
}

/** The API's `orderBy` for the query's sort. */
export function leaderboardOrder(query: LeaderboardQuery) {
  return isFieldSort(query.sort)
    ? { field: FIELD_SORTS[query.sort], direction: query.direction }
    : { metricKey: query.sort, direction: query.direction };
}

/** The API's `filter`, or null when the URL filters nothing. */
export function leaderboardFilter(query: LeaderboardQuery) {
  if (query.kinds.length === 0 && query.tags.length === 0) return null;
  return {
    ...(query.kinds.length > 0 ? { kind: query.kinds } : {}),
    ...(query.tags.length > 0 ? { tags: query.tags } : {}),
  };
}

/**
 * The leaderboard's URL for `query` with `changes` applied; parameters at their defaults are left
 * out so URLs stay short. A new sort or filter starts again from the first page.
 */
export function leaderboardHref(
  query: LeaderboardQuery,
  changes: Partial<LeaderboardQuery>,
): string {
  const resetsPaging = ['sort', 'direction', 'kinds', 'tags'].some((name) => name in changes);
  const next = { ...query, ...(resetsPaging ? { after: null } : {}), ...changes };
  const params = new URLSearchParams();
  if (next.sort !== DEFAULT_SORT || next.direction !== 'DESC') {
    params.set('sort', next.sort);
    params.set('dir', next.direction.toLowerCase());
  }
  if (next.kinds.length > 0) params.set('kind', next.kinds.join(','));
  if (next.tags.length > 0) params.set('tag', next.tags.join(','));
  if (next.x !== null) params.set('x', next.x);
  if (next.y !== null) params.set('y', next.y);
  if (next.after !== null) params.set('after', next.after);
  const search = params.toString();
  return search === '' ? '/leaderboard' : `/leaderboard?${search}`;
}
