import { listParam } from './search-params.ts';

/**
 * The runs table's columns a user may hide or show, in the table's order. The compare box and the
 * run's id are always shown: a row is opened and compared through them.
 */
export const RUN_COLUMNS = [
  { id: 'kind', label: 'Kind / name' },
  { id: 'status', label: 'Status' },
  { id: 'progress', label: 'Progress' },
  { id: 'gflops', label: 'GFLOP/s' },
  { id: 'device', label: 'Device' },
  { id: 'queued', label: 'Queued' },
  { id: 'finished', label: 'Finished' },
  { id: 'duration', label: 'Duration' },
] as const;

export type RunColumn = (typeof RUN_COLUMNS)[number]['id'];

/** What the table shows unless the URL or the remembered choice says otherwise: every column. */
export const DEFAULT_RUN_COLUMNS: readonly RunColumn[] = RUN_COLUMNS.map((column) => column.id);

/**
 * The value the column chooser always sends alongside its boxes, so that a choice of no optional
 * column still reaches the URL (a GET form leaves unticked boxes out) and wins over the cookie.
 */
export const RUN_ID_COLUMN = 'run';

/** The cookie that remembers the last columns chosen, in the URL's own form (`run,kind,status`). */
export const RUN_COLUMNS_COOKIE = 'factorlab-run-columns';

const KNOWN = new Set<string>(DEFAULT_RUN_COLUMNS);

/**
 * The columns named by a `cols` value (`kind,status` or repeated), in the table's order; null when
 * it names none at all, not even the id column, so the remembered choice or the default applies.
 */
export function parseRunColumns(value: string | string[] | undefined): RunColumn[] | null {
  const named = listParam(value);
  if (!named.some((id) => id === RUN_ID_COLUMN || KNOWN.has(id))) return null;
  return DEFAULT_RUN_COLUMNS.filter((id) => named.includes(id));
}

/** The columns to show: the URL's choice wins, then the remembered one, then every column. */
export function chosenRunColumns(
  fromUrl: string | string[] | undefined,
  remembered: string | undefined,
): RunColumn[] {
  return parseRunColumns(fromUrl) ?? parseRunColumns(remembered) ?? [...DEFAULT_RUN_COLUMNS];
}

/** The URL's `cols` value for `columns`: the id column first, so it is never empty. */
export function runColumnsParam(columns: readonly RunColumn[]): string {
  return [RUN_ID_COLUMN, ...columns].join(',');
}

export function isDefaultRunColumns(columns: readonly RunColumn[]): boolean {
  return (
    columns.length === DEFAULT_RUN_COLUMNS.length &&
    DEFAULT_RUN_COLUMNS.every((id) => columns.includes(id))
  );
}
