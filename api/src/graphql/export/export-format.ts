import { flattenConfig } from '../compare/flatten-config.ts';
import { csvLine } from './csv.ts';
import type { ExportRow } from './run-rows.ts';

const FIXED_COLUMNS = [
  'id',
  'name',
  'kind',
  'status',
  'tags',
  'queuedAt',
  'startedAt',
  'finishedAt',
];

/** Turns export rows into CSV records or JSON array items; one per format. */
export interface ExportFormat {
  extension: 'csv' | 'json';
  contentType: string;
  begin(): string;
  rows(rows: readonly ExportRow[], first: boolean): string;
  end(): string;
}

function fixedFields(row: ExportRow) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    tags: row.tags,
    queuedAt: row.queued_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** A config value as a CSV field: strings as they are, other JSON as JSON, absent as empty. */
function configField(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * CSV: the fixed columns, then `config.<path>` for every config path of the exported runs, then
 * `metric.<key>` per requested metric. Tags are joined with `;`; missing values are empty.
 */
export function csvFormat(configKeys: readonly string[], metrics: readonly string[]): ExportFormat {
  return {
    extension: 'csv',
    contentType: 'text/csv; charset=utf-8',
    begin: () =>
      csvLine([
        ...FIXED_COLUMNS,
        ...configKeys.map((key) => `config.${key}`),
        ...metrics.map((key) => `metric.${key}`),
      ]),
    rows: (rows) =>
      rows
        .map((row) => {
          const fixed = fixedFields(row);
          const config = flattenConfig(row.config);
          return csvLine([
            fixed.id,
            fixed.name,
            fixed.kind,
            fixed.status,
            fixed.tags.join(';'),
            fixed.queuedAt,
            fixed.startedAt ?? '',
            fixed.finishedAt ?? '',
            ...configKeys.map((key) => configField(config.get(key))),
            ...metrics.map((key) => String(row.metrics?.[key] ?? '')),
          ]);
        })
        .join(''),
    end: () => '',
  };
}

/**
 * JSON: an array of runs, each with its fixed fields, `config` as flattened paths and `metrics`
 * with every requested key (null where the run has no value).
 */
export function jsonFormat(metrics: readonly string[]): ExportFormat {
  return {
    extension: 'json',
    contentType: 'application/json; charset=utf-8',
    begin: () => '[',
    rows: (rows, first) =>
      rows
        .map((row, i) => {
          const item = {
            ...fixedFields(row),
            config: Object.fromEntries(flattenConfig(row.config)),
            metrics: Object.fromEntries(metrics.map((key) => [key, row.metrics?.[key] ?? null])),
          };
          return `${first && i === 0 ? '' : ','}\n${JSON.stringify(item)}`;
        })
        .join(''),
    end: () => '\n]\n',
  };
}
