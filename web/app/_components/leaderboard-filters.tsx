import Link from 'next/link';
import {
  DEFAULT_SORT,
  leaderboardHref,
  type LeaderboardQuery,
} from '../../lib/leaderboard-query.ts';

/**
 * Kind and tag filters as a GET form, so the filtered view is a URL to share; the sort and chart
 * axes ride along in hidden fields.
 */
export function LeaderboardFilters({ query }: { query: LeaderboardQuery }) {
  const isFiltered = query.kinds.length > 0 || query.tags.length > 0;
  const sorted = query.sort !== DEFAULT_SORT || query.direction !== 'DESC';
  return (
    <form action="/leaderboard" method="get" className="filters" data-testid="leaderboard-filters">
      <label>
        Kind
        <input name="kind" defaultValue={query.kinds.join(',')} placeholder="e.g. factorize" />
      </label>
      <label>
        Tags (all of)
        <input name="tag" defaultValue={query.tags.join(',')} placeholder="e.g. nightly,llama" />
      </label>
      {sorted && (
        <>
          <input type="hidden" name="sort" value={query.sort} />
          <input type="hidden" name="dir" value={query.direction.toLowerCase()} />
        </>
      )}
      {query.x !== null && <input type="hidden" name="x" value={query.x} />}
      {query.y !== null && <input type="hidden" name="y" value={query.y} />}
      <button type="submit">Filter</button>
      {isFiltered && (
        <Link href={leaderboardHref(query, { kinds: [], tags: [] })}>Clear filters</Link>
      )}
    </form>
  );
}
