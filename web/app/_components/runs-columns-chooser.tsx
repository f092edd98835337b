'use client';

import type { FormEvent } from 'react';
import {
  RUN_COLUMNS,
  RUN_COLUMNS_COOKIE,
  RUN_ID_COLUMN,
  runColumnsParam,
  type RunColumn,
} from '../../lib/runs-columns.ts';

/** A year: the choice outlives the session, as a setting should. */
const REMEMBER_SECONDS = 365 * 24 * 3600;

/**
 * Which columns the runs table shows: a menu of boxes that sends them with a GET form, so the
 * choice is in the URL (shareable, and it works without JS); on submit the browser also remembers
 * it in a cookie that the page reads when the URL names no columns. `keep` holds the filters and
 * sort to carry along, as the URL's parameters.
 */
export function RunsColumnsChooser({
  columns,
  keep,
}: {
  columns: readonly RunColumn[];
  keep: [string, string][];
}) {
  const remember = (event: FormEvent<HTMLFormElement>) => {
    const chosen = new FormData(event.currentTarget)
      .getAll('cols')
      .filter((value): value is RunColumn => RUN_COLUMNS.some((column) => column.id === value));
    document.cookie = `${RUN_COLUMNS_COOKIE}=${encodeURIComponent(runColumnsParam(chosen))}; path=/; max-age=${REMEMBER_SECONDS}; samesite=lax`;
  };
  return (
    <details className="columns-chooser" data-testid="columns-chooser">
      <summary>Columns</summary>
      <form action="/" method="get" onSubmit={remember} className="columns-menu">
        {keep.map(([name, value]) => (
          <input key={`${name}=${value}`} type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="cols" value={RUN_ID_COLUMN} />
        <fieldset>
          <legend className="visually-hidden">Columns shown</legend>
          {RUN_COLUMNS.map((column) => (
            <label key={column.id} className="check">
              <input
                type="checkbox"
                name="cols"
                value={column.id}
                defaultChecked={columns.includes(column.id)}
                data-column={column.id}
              />
              {column.label}
            </label>
          ))}
        </fieldset>
        <button type="submit" data-testid="apply-columns">
          Show these
        </button>
      </form>
    </details>
  );
}
