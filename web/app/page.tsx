import { cookies } from 'next/headers';
import Link from 'next/link';
import { apiUrl, loadOrError } from '../lib/graphql.ts';
import { fetchRunsPage } from '../lib/runs.ts';
import { RUN_COLUMNS_COOKIE } from '../lib/runs-columns.ts';
import { isFiltered, parseRunsQuery, runFilter, runOrder, runsHref } from '../lib/runs-query.ts';
import type { SearchParams } from '../lib/search-params.ts';
import { ApiErrorPanel } from './_components/api-error-panel.tsx';
import { CompareForm } from './_components/compare-form.tsx';
import { EmptyRuns } from './_components/empty-runs.tsx';
import { LiveUpdates } from './_components/live-updates.tsx';
import { RunsFilters } from './_components/runs-filters.tsx';
import { RunsTable } from './_components/runs-table.tsx';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Runs · FactorLab' };

interface RunsPageProps {
  searchParams: Promise<SearchParams>;
}

export default async function RunsPage({ searchParams }: RunsPageProps) {
  // The URL's columns win; without any, those the browser remembers from the last choice.
  const remembered = (await cookies()).get(RUN_COLUMNS_COOKIE)?.value;
  const query = parseRunsQuery(await searchParams, remembered && safeDecode(remembered));
  const {
    data: page,
    error,
    retryable,
  } = await loadOrError(fetchRunsPage(query.after, runFilter(query), runOrder(query)));

  if (error !== undefined) {
    return (
      <>
        <h1>Runs</h1>
        <RunsFilters query={query} />
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }

  const isEmpty = page.totalCount === 0;
  return (
    <>
      <h1>
        Runs <span className="muted count">{page.totalCount}</span>
      </h1>
      <RunsFilters query={query} />
      {isEmpty && !isFiltered(query) ? (
        <EmptyRuns apiUrl={apiUrl()} />
      ) : isEmpty ? (
        <p className="panel" data-testid="runs-empty">
          No run matches these filters.
        </p>
      ) : (
        <CompareForm>
          <RunsTable runs={page.runs} now={Date.now()} query={query} />
        </CompareForm>
      )}
      <nav className="pager" aria-label="Pages">
        {query.after !== null && <Link href={runsHref(query)}>First page</Link>}
        {page.nextCursor !== null && (
          <Link href={runsHref(query, { after: page.nextCursor })} data-testid="load-more">
            Next page
          </Link>
        )}
      </nav>
      {/* The first page follows runsChanged, so a run queued anywhere shows up within 2 s. */}
      <LiveUpdates active={query.after === null} />
    </>
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
