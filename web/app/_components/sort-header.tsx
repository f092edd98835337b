import Link from 'next/link';
import type { Direction } from '../../lib/leaderboard-query.ts';

interface SortHeaderProps {
  label: string;
  /** The link that sorts by this column; null when the column cannot be sorted. */
  href: string | null;
  /** The direction the table is sorted by this column, or null when sorted by another. */
  active: Direction | null;
  numeric?: boolean;
}

/**
 * A column header that sorts the table when followed, with `aria-sort` for the current sort. Not
 * prefetched: a table has a dozen such links, and prefetching each on every visit made the server
 * render the page a dozen times while the user's own click waited behind them.
 */
export function SortHeader({ label, href, active, numeric = false }: SortHeaderProps) {
  const ariaSort = active === 'ASC' ? 'ascending' : active === 'DESC' ? 'descending' : undefined;
  return (
    <th className={numeric ? 'numeric' : undefined} aria-sort={ariaSort} scope="col">
      {href === null ? (
        label
      ) : (
        <Link href={href} prefetch={false} className="sort-link" data-active={active !== null}>
          {label}
          <span className="sort-arrow" aria-hidden>
            {active === 'ASC' ? '▲' : active === 'DESC' ? '▼' : '↕'}
          </span>
        </Link>
      )}
    </th>
  );
}
