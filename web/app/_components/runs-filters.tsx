import Link from 'next/link';
import { runColumnsParam } from '../../lib/runs-columns.ts';
import { isFiltered, RUN_STATUSES, runsHref, type RunsQuery } from '../../lib/runs-query.ts';
import { RunsColumnsChooser } from './runs-columns-chooser.tsx';
import { RunsTextFilter } from './runs-text-filter.tsx';

/**
 * Text, status, kind and tag filters as a GET form, so a filtered view is a URL to share (the text
 * also applies as one types); the sort and the chosen columns ride along. Beside it, a box that
 * opens a run by its id or the first digits of it, and the column chooser (last, at the right).
 */
export function RunsFilters({ query }: { query: RunsQuery }) {
  return (
    <div className="filter-bar">
      <form action="/" method="get" className="filters" data-testid="runs-filters">
        <RunsTextFilter query={query} />
        <fieldset className="status-choices">
          <legend>Status</legend>
          {RUN_STATUSES.map((status) => (
            <label key={status} className="check">
              <input
                type="checkbox"
                name="status"
                value={status.toLowerCase()}
                defaultChecked={query.statuses.includes(status)}
              />
              {status.toLowerCase()}
            </label>
          ))}
        </fieldset>
        <label>
          Kind
          <input name="kind" defaultValue={query.kinds.join(',')} placeholder="e.g. pretrain" />
        </label>
        <label>
          Tags (all of)
          <input name="tag" defaultValue={query.tags.join(',')} placeholder="e.g. demo" />
        </label>
        {query.sort !== 'queued' || query.direction !== 'DESC' ? (
          <>
            <input type="hidden" name="sort" value={query.sort} />
            <input type="hidden" name="dir" value={query.direction.toLowerCase()} />
          </>
        ) : null}
        {query.columnsChosen && (
          <input type="hidden" name="cols" value={runColumnsParam(query.columns)} />
        )}
        <button type="submit">Filter</button>
        {isFiltered(query) && (
          <Link href={runsHref(query, { text: null, statuses: [], kinds: [], tags: [] })}>
            Clear filters
          </Link>
        )}
      </form>
      <form action="/runs" method="get" className="filters go-to-run">
        <label>
          Open run
          <input
            name="id"
            placeholder="id or its first digits"
            required
            minLength={4}
            data-testid="open-run-id"
          />
        </label>
        <button type="submit">Open</button>
      </form>
      <RunsColumnsChooser columns={query.columns} keep={keptParams(query)} />
    </div>
  );
}

/** The filters and sort of the query as URL parameters, for a form that changes something else. */
function keptParams(query: RunsQuery): [string, string][] {
  const href = runsHref(query, { columnsChosen: false });
  return [...new URLSearchParams(href.split('?')[1] ?? '').entries()];
}
