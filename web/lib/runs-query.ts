import type { Direction } from './leaderboard-query.ts';
import type { RunStatus } from './runs.ts';
import {
  chosenRunColumns,
  parseRunColumns,
  runColumnsParam,
  type RunColumn,
} from './runs-columns.ts';
import { firstParam, listParam, type SearchParams } from './search-params.ts';

export const RUN_STATUSES: readonly RunStatus[] = [
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
];

/** The run fields the API sorts by, as the URL names them. */
export const RUN_FIELD_SORTS = {
  queued: 'QUEUED_AT',
  started: 'STARTED_AT',
  finished: 'FINISHED_AT',
  progress: 'PROGRESS',
  priority: 'PRIORITY',
} as const;

export const DEFAULT_RUN_SORT = 'queued';

/** The longest text the API filters runs by. */
export const MAX_RUN_TEXT_LENGTH = 200;

/** The runs page as its URL holds it: filters, sort and page, so any view is a link to share. */
export interface RunsQuery {
  statuses: RunStatus[];
  kinds: string[];
  tags: string[];
  /** Text a run's id starts with, or its kind, tags, names, error or config contain (`q`). */
  text: string | null;
  /** A field of RUN_FIELD_SORTS, or `metric:<key>` for a metric's latest value. */
  sort: string;
  direction: Direction;
  after: string | null;
  /** The optional columns shown, in the table's order. */
  columns: RunColumn[];
  /** Whether the columns were chosen (in the URL or remembered), so links carry them on. */
  columnsChosen: boolean;
}

/**
 * The runs page's query from its URL; `rememberedColumns` is the column choice the browser keeps
 * (a cookie), which applies when the URL names none.
 */
export function parseRunsQuery(params: SearchParams, rememberedColumns?: string): RunsQuery {
  const statuses = listParam(params.status).map((status) => status.toUpperCase());
  const sort = firstParam(params.sort) ?? DEFAULT_RUN_SORT;
  return {
    statuses: RUN_STATUSES.filter((status) => statuses.includes(status)),
    kinds: listParam(params.kind),
    tags: listParam(params.tag),
    text: firstParam(params.q)?.trim() || null,
    sort:
      Object.hasOwn(RUN_FIELD_SORTS, sort) || sort.startsWith('metric:') ? sort : DEFAULT_RUN_SORT,
    direction: firstParam(params.dir)?.toUpperCase() === 'ASC' ? 'ASC' : 'DESC',
    after: firstParam(params.after),
    columns: chosenRunColumns(params.cols, rememberedColumns),
    columnsChosen:
      parseRunColumns(params.cols) !== null || parseRunColumns(rememberedColumns) !== null,
  };
}

/** The API's RunFilter for the query, or null when nothing is filtered. */
export function runFilter(query: RunsQuery): Record<string, unknown> | null {
  const filter: Record<string, unknown> = {};
  if (query.statuses.length > 0) filter.status = query.statuses;
  if (query.kinds.length > 0) filter.kind = query.kinds;
  if (query.tags.length > 0) filter.tags = query.tags;
  if (query.text !== null) filter.text = query.text;
  return Object.keys(filter).length > 0 ? filter : null;
}

/** The API's RunOrder for the query. */
export function runOrder(query: RunsQuery): Record<string, string> {
  if (query.sort.startsWith('metric:')) {
    return { metricKey: query.sort.slice('metric:'.length), direction: query.direction };
  }
  const field = RUN_FIELD_SORTS[query.sort as keyof typeof RUN_FIELD_SORTS];
  return { field, direction: query.direction };
}

export function isFiltered(query: RunsQuery): boolean {
  return runFilter(query) !== null;
}

/** The runs page's URL for `query` with `changes`; a new filter or sort starts at page one. */
export function runsHref(query: RunsQuery, changes: Partial<RunsQuery> = {}): string {
  const next = { ...query, after: null, ...changes };
  const params = new URLSearchParams();
  if (next.text !== null) params.set('q', next.text);
  if (next.statuses.length > 0) params.set('status', next.statuses.join(',').toLowerCase());
  if (next.kinds.length > 0) params.set('kind', next.kinds.join(','));
  if (next.tags.length > 0) params.set('tag', next.tags.join(','));
  if (next.sort !== DEFAULT_RUN_SORT || next.direction !== 'DESC') {
    params.set('sort', next.sort);
    params.set('dir', next.direction.toLowerCase());
  }
  if (next.columnsChosen) params.set('cols', runColumnsParam(next.columns));
  if (next.after !== null) params.set('after', next.after);
  const search = params.toString();
  return search === '' ? '/' : `/?${search}`;
}

/** A header's link: sorts by `sort` descending first, and reverses when followed again. */
export function runsSortLink(query: RunsQuery, sort: string) {
  const active = query.sort === sort ? query.direction : null;
  const direction: Direction = active === 'DESC' ? 'ASC' : 'DESC';
  return { href: runsHref(query, { sort, direction }), active };
}
