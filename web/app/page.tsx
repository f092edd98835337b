import Link from 'next/link';
import { apiUrl, loadOrError } from '../lib/graphql.ts';
import { fetchRunsPage, isActive } from '../lib/runs.ts';
import { ApiErrorPanel } from './_components/api-error-panel.tsx';
import { CompareForm } from './_components/compare-form.tsx';
import { EmptyRuns } from './_components/empty-runs.tsx';
import { LiveRefresh } from './_components/live-refresh.tsx';
import { RunsTable } from './_components/runs-table.tsx';

export const dynamic = 'force-dynamic';

interface RunsPageProps {
  searchParams: Promise<{ after?: string | string[] }>;
}

export default async function RunsPage({ searchParams }: RunsPageProps) {
  const { after } = await searchParams;
  const cursor = typeof after === 'string' ? after : null;
  const { data: page, error, retryable } = await loadOrError(fetchRunsPage(cursor));

  if (error !== undefined) {
    return (
      <>
        <h1>Runs</h1>
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }

  const isEmpty = page.totalCount === 0;
  // An empty lab keeps polling too, so a newly queued self-test shows up without a reload.
  const isLive = isEmpty || page.runs.some((run) => isActive(run.status));
  return (
    <>
      <h1>
        Runs <span className="muted count">{page.totalCount}</span>
      </h1>
      {isEmpty ? (
        <EmptyRuns apiUrl={apiUrl()} />
      ) : (
        <CompareForm>
          <RunsTable runs={page.runs} now={Date.now()} />
        </CompareForm>
      )}
      <nav className="pager" aria-label="Pages">
        {cursor !== null && <Link href="/">Newest runs</Link>}
        {page.nextCursor !== null && (
          <Link href={{ pathname: '/', query: { after: page.nextCursor } }} data-testid="load-more">
            Load more
          </Link>
        )}
      </nav>
      <LiveRefresh active={isLive} />
    </>
  );
}
