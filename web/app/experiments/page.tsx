import Link from 'next/link';
import { ApiErrorPanel } from '../_components/api-error-panel.tsx';
import { StatusBadge } from '../_components/status-badge.tsx';
import {
  experimentFilter,
  experimentsHref,
  fetchExperimentsPage,
  parseExperimentsQuery,
  type ExperimentsQueryState,
} from '../../lib/experiments.ts';
import { formatTimestamp, shortId } from '../../lib/format.ts';
import { loadOrError } from '../../lib/graphql.ts';
import type { SearchParams } from '../../lib/search-params.ts';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Experiments · FactorLab' };

/** What was asked for, newest first: each experiment's kind, runs and how its latest run stands. */
export default async function ExperimentsPage({
  searchParams,
}: {
  searchParams: Promise<SearchParams>;
}) {
  const query = parseExperimentsQuery(await searchParams);
  const { data: page, error, retryable } = await loadOrError(fetchExperimentsPage(query));
  if (error !== undefined) {
    return (
      <>
        <h1>Experiments</h1>
        <ExperimentsFilters query={query} />
        <ApiErrorPanel message={error} retrying={retryable} />
      </>
    );
  }
  return (
    <>
      <h1>
        Experiments <span className="muted count">{page.totalCount}</span>
      </h1>
      <p className="muted page-lede">
        An experiment is a job kind and its config; its runs execute it (a retry is another run of
        the same experiment). Each point of a sweep is an experiment of its own.
      </p>
      <ExperimentsFilters query={query} />
      {page.experiments.length === 0 ? (
        <p className="panel" data-testid="experiments-empty">
          {experimentFilter(query) === null
            ? 'No experiment yet: queue a run or a sweep.'
            : 'No experiment matches these filters.'}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table compact-table" data-testid="experiments-table">
            <thead>
              <tr>
                <th scope="col">Experiment</th>
                <th scope="col">Kind / name</th>
                <th scope="col" className="numeric">
                  Runs
                </th>
                <th scope="col">Latest run</th>
                <th scope="col">Sweep</th>
                <th scope="col" className="numeric">
                  Created
                </th>
              </tr>
            </thead>
            <tbody>
              {page.experiments.map((experiment) => (
                <tr
                  key={experiment.id}
                  data-testid="experiment-row"
                  data-experiment-id={experiment.id}
                >
                  <td>
                    <Link
                      href={`/experiments/${experiment.id}`}
                      prefetch={false}
                      className="run-id"
                      title={experiment.id}
                    >
                      {shortId(experiment.id)}
                    </Link>
                  </td>
                  <td className="kind-name" title={experiment.name}>
                    <span className="run-kind">{experiment.kind}</span>
                    <span className="run-name">{experiment.name}</span>
                  </td>
                  <td className="numeric" data-testid="experiment-run-count">
                    {experiment.runCount}
                  </td>
                  <td data-testid="experiment-latest">
                    {experiment.latestRun === null ? (
                      <span className="muted">—</span>
                    ) : (
                      <Link
                        href={`/runs/${experiment.latestRun.id}`}
                        prefetch={false}
                        title={`Run ${experiment.latestRun.id}`}
                      >
                        <StatusBadge status={experiment.latestRun.status} />
                      </Link>
                    )}
                  </td>
                  <td>
                    {experiment.sweepId === null ? (
                      <span className="muted">—</span>
                    ) : (
                      <Link
                        href={`/sweeps/${experiment.sweepId}`}
                        prefetch={false}
                        className="run-id"
                      >
                        {shortId(experiment.sweepId)}
                      </Link>
                    )}
                  </td>
                  <td className="numeric">
                    <time dateTime={experiment.createdAt}>
                      {formatTimestamp(experiment.createdAt)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        {query.after !== null && <Link href={experimentsHref(query)}>First page</Link>}
        {page.nextCursor !== null && (
          <Link
            href={experimentsHref(query, { after: page.nextCursor })}
            prefetch={false}
            data-testid="next-page"
          >
            Next page
          </Link>
        )}
      </nav>
    </>
  );
}

/** A name search and kinds as a GET form, so a filtered list is a URL to share. */
function ExperimentsFilters({ query }: { query: ExperimentsQueryState }) {
  return (
    <form action="/experiments" method="get" className="filters" data-testid="experiments-filters">
      <label>
        Name contains
        <input name="q" defaultValue={query.text ?? ''} placeholder="e.g. sweep" />
      </label>
      <label>
        Kind
        <input name="kind" defaultValue={query.kinds.join(',')} placeholder="e.g. selftest" />
      </label>
      <button type="submit">Filter</button>
      {experimentFilter(query) !== null && (
        <Link href={experimentsHref(query, { text: null, kinds: [] })}>Clear filters</Link>
      )}
    </form>
  );
}
