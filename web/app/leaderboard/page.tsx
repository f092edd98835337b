import Link from 'next/link';
import { ApiErrorPanel } from '../_components/api-error-panel.tsx';
import { CompareForm } from '../_components/compare-form.tsx';
import { LeaderboardFilters } from '../_components/leaderboard-filters.tsx';
import { LeaderboardScatter } from '../_components/leaderboard-scatter.tsx';
import { loadOrError } from '../../lib/graphql.ts';
import { fetchLeaderboardPage } from '../../lib/leaderboard.ts';
import { fetchLeaderboardFields } from '../../lib/leaderboard-columns.ts';
import {
  leaderboardHref,
  parseLeaderboardQuery,
  type LeaderboardQuery,
} from '../../lib/leaderboard-query.ts';
import type { SearchParams } from '../../lib/search-params.ts';
import { ConfigurationsTable } from './configurations-table.tsx';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Leaderboard · FactorLab' };

interface LeaderboardPageProps {
  searchParams: Promise<SearchParams>;
}

export default async function LeaderboardPage({ searchParams }: LeaderboardPageProps) {
  const query = parseLeaderboardQuery(await searchParams);
  const fields = await fetchLeaderboardFields();
  const { columns } = fields;
  const { data: page, error, retryable } = await loadOrError(fetchLeaderboardPage(query, fields));

  return (
    <>
      <h1>
        Leaderboard {page !== undefined && <span className="muted count">{page.totalCount}</span>}
      </h1>
      <p className="muted page-lede">
        One row per configuration with a succeeded run, shown by its representative run: the best on
        the sorted metric, else the latest. A configuration run several times shows the mean ± half
        the range of its runs.
      </p>
      <LeaderboardFilters query={query} />
      {error !== undefined ? (
        <>
          <ApiErrorPanel message={error} retrying={retryable} />
        </>
      ) : page.rows.length === 0 ? (
        <EmptyLeaderboard query={query} totalCount={page.totalCount} />
      ) : (
        <>
          <LeaderboardScatter rows={page.rows} columns={columns} query={query} />
          <CompareForm>
            <ConfigurationsTable rows={page.rows} columns={columns} query={query} />
          </CompareForm>
          <nav className="pager" aria-label="Pages">
            {query.after !== null && (
              <Link href={leaderboardHref(query, { after: null })}>First page</Link>
            )}
            {page.nextCursor !== null && (
              <Link
                href={leaderboardHref(query, { after: page.nextCursor })}
                data-testid="next-page"
              >
                Next page
              </Link>
            )}
          </nav>
        </>
      )}
    </>
  );
}

function EmptyLeaderboard({ query, totalCount }: { query: LeaderboardQuery; totalCount: number }) {
  const filtered = query.kinds.length > 0 || query.tags.length > 0;
  return (
    <section className="panel" data-testid="leaderboard-empty">
      {totalCount > 0 ? (
        <>
          <h2>No more configurations</h2>
          <p>
            This page starts past the last row.{' '}
            <Link href={leaderboardHref(query, { after: null })}>Back to the first page</Link>
          </p>
        </>
      ) : filtered ? (
        <>
          <h2>No configuration matches these filters</h2>
          <p>
            <Link href={leaderboardHref(query, { kinds: [], tags: [] })}>Clear the filters</Link> to
            see every finished configuration.
          </p>
        </>
      ) : (
        <>
          <h2>No finished configurations yet</h2>
          <p>
            A configuration appears here once one of its runs succeeds. Queue one from the{' '}
            <Link href="/">runs page</Link>.
          </p>
        </>
      )}
    </section>
  );
}
