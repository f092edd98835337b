import { Prisma } from '../../db/generated/client.ts';
import { badUserInput } from '../errors.ts';
import { hexPrefixRange } from '../run-ids/run-id-prefix.ts';
import type { ConfigPredicate, MetricPredicate, RunFilter, RunOrder } from './run-filter.input.ts';

const MAX_FILTER_DEPTH = 5;
const MAX_PREDICATES = 50;
/** The longest `text` a filter takes, as for the experiments' name filter. */
export const MAX_TEXT_FILTER_LENGTH = 200;

type Bounds = Pick<MetricPredicate, 'gt' | 'gte' | 'lt' | 'lte'>;

function boundsSql(value: Prisma.Sql, bounds: Bounds): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  if (bounds.gt != null) parts.push(Prisma.sql`${value} > ${bounds.gt}::float8`);
  if (bounds.gte != null) parts.push(Prisma.sql`${value} >= ${bounds.gte}::float8`);
  if (bounds.lt != null) parts.push(Prisma.sql`${value} < ${bounds.lt}::float8`);
  if (bounds.lte != null) parts.push(Prisma.sql`${value} <= ${bounds.lte}::float8`);
  return parts;
}

function configSql(predicate: ConfigPredicate, field: string): Prisma.Sql[] {
  const path = predicate.path.split('.');
  if (path.some((part) => part === '')) throw badUserInput(`${field}.path`, 'is not a dotted path');
  const value = Prisma.sql`e.config #> ${path}::text[]`;
  const number = Prisma.sql`(CASE WHEN jsonb_typeof(${value}) = 'number'
                              THEN (e.config #>> ${path}::text[])::float8 END)`;
  const parts = boundsSql(number, predicate);
  if (predicate.eq !== undefined)
    parts.push(Prisma.sql`${value} = ${JSON.stringify(predicate.eq)}::jsonb`);
  if (parts.length === 0) throw badUserInput(field, 'give eq, gt, gte, lt or lte');
  return parts;
}

function metricSql(predicate: MetricPredicate, field: string): Prisma.Sql {
  const parts = boundsSql(Prisma.sql`m.last_value`, predicate);
  if (parts.length === 0) throw badUserInput(field, 'give gt, gte, lt or lte');
  return Prisma.sql`EXISTS (SELECT 1 FROM run_metric_summary m
    WHERE m.run_id = r.id AND m.key = ${predicate.key} AND ${Prisma.join(parts, ' AND ')})`;
}

/**
 * The runs `text` finds: an id starting with it, or a kind, tag, experiment name, sweep name,
 * error or config (as JSON text) containing it, ignoring case. A scan of the runs and their
 * experiments, timed at 10,000 runs by `lab bench platform` ("runs page found by text"), fast
 * enough there without a trigram index.
 */
function textSql(text: string, field: string): Prisma.Sql | null {
  if (text.length > MAX_TEXT_FILTER_LENGTH) {
    throw badUserInput(field, `is longer than ${MAX_TEXT_FILTER_LENGTH} characters`);
  }
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const pattern = `%${trimmed.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const contains = [
    Prisma.sql`e.kind ILIKE ${pattern}`,
    Prisma.sql`e.name ILIKE ${pattern}`,
    Prisma.sql`r.error ILIKE ${pattern}`,
    Prisma.sql`e.config::text ILIKE ${pattern}`,
    Prisma.sql`EXISTS (SELECT 1 FROM unnest(e.tags) AS t(tag) WHERE t.tag ILIKE ${pattern})`,
    Prisma.sql`EXISTS (SELECT 1 FROM sweep sw WHERE sw.id = e.sweep_id AND sw.name ILIKE ${pattern})`,
  ];
  const ids = hexPrefixRange(trimmed);
  if (ids) contains.unshift(Prisma.sql`r.id BETWEEN ${ids.low}::uuid AND ${ids.high}::uuid`);
  return Prisma.sql`(${Prisma.join(contains, ' OR ')})`;
}

/** The SQL condition of a filter over `run r JOIN experiment e`; all given conditions must hold. */
export function filterSql(filter: RunFilter | null | undefined): Prisma.Sql {
  let predicates = 0;
  const build = (node: RunFilter, field: string, depth: number): Prisma.Sql => {
    if (depth > MAX_FILTER_DEPTH)
      throw badUserInput(field, `nests deeper than ${MAX_FILTER_DEPTH}`);
    const count = () => {
      if (++predicates > MAX_PREDICATES) {
        throw badUserInput('filter', `has more than ${MAX_PREDICATES} conditions`);
      }
    };
    const parts: Prisma.Sql[] = [];
    if (node.status?.length) {
      count();
      // Compared as the enum, not as text, so the planner's statistics on status apply.
      parts.push(Prisma.sql`r.status = ANY(${node.status}::"RunStatus"[])`);
    }
    if (node.kind?.length) {
      count();
      parts.push(Prisma.sql`e.kind = ANY(${node.kind}::text[])`);
    }
    if (node.tags?.length) {
      count();
      parts.push(Prisma.sql`e.tags @> ${node.tags}::text[]`);
    }
    if (node.text != null) {
      const text = textSql(node.text, `${field}.text`);
      if (text) {
        count();
        parts.push(text);
      }
    }
    node.config?.forEach((predicate, i) => {
      count();
      parts.push(...configSql(predicate, `${field}.config.${i}`));
    });
    node.metric?.forEach((predicate, i) => {
      count();
      parts.push(metricSql(predicate, `${field}.metric.${i}`));
    });
    node.and?.forEach((child, i) => parts.push(build(child, `${field}.and.${i}`, depth + 1)));
    if (node.or?.length) {
      const alternatives = node.or.map((child, i) => build(child, `${field}.or.${i}`, depth + 1));
      parts.push(Prisma.sql`(${Prisma.join(alternatives, ' OR ')})`);
    }
    return parts.length ? Prisma.sql`(${Prisma.join(parts, ' AND ')})` : Prisma.sql`TRUE`;
  };
  return filter ? build(filter, 'filter', 1) : Prisma.sql`TRUE`;
}

export type SortType = 'timestamptz' | 'float8';

export interface SortKey {
  /** The expression sorted on, over `run r` and the metric join `s`. */
  expression: Prisma.Sql;
  type: SortType;
  descending: boolean;
  /** The summary key to join as `s`, when sorting by a metric. */
  metricKey: string | null;
}

const FIELD_SORTS: Record<string, { column: Prisma.Sql; type: SortType }> = {
  QUEUED_AT: { column: Prisma.sql`r.queued_at`, type: 'timestamptz' },
  STARTED_AT: { column: Prisma.sql`r.started_at`, type: 'timestamptz' },
  FINISHED_AT: { column: Prisma.sql`r.finished_at`, type: 'timestamptz' },
  PRIORITY: { column: Prisma.sql`r.priority::float8`, type: 'float8' },
  PROGRESS: { column: Prisma.sql`r.progress`, type: 'float8' },
};

export function sortKey(order: RunOrder | null | undefined): SortKey {
  const descending = (order?.direction ?? 'DESC') === 'DESC';
  if (order?.field && order.metricKey) {
    throw badUserInput('orderBy', 'give either field or metricKey, not both');
  }
  if (order?.metricKey) {
    return {
      expression: Prisma.sql`s.last_value`,
      type: 'float8',
      descending,
      metricKey: order.metricKey,
    };
  }
  const sort = FIELD_SORTS[order?.field ?? 'QUEUED_AT']!;
  return { expression: sort.column, type: sort.type, descending, metricKey: null };
}

/**
 * The keyset condition "after this cursor" for ORDER BY expression (ASC|DESC) NULLS LAST, id:
 * runs lacking the sort value come last, in id order.
 */
export function afterSql(key: SortKey, value: string | number | null, id: string): Prisma.Sql {
  const fitsKey =
    value === null ||
    (key.type === 'timestamptz'
      ? typeof value === 'string' && !Number.isNaN(Date.parse(value))
      : typeof value === 'number' && Number.isFinite(value));
  if (!fitsKey) {
    throw badUserInput(
      'after',
      'is not a cursor of this ordering; pass an endCursor from pageInfo of a query with the ' +
        'same orderBy',
    );
  }
  const beyond = key.descending ? Prisma.sql`<` : Prisma.sql`>`;
  const idBeyond = Prisma.sql`r.id ${beyond} ${id}::uuid`;
  if (value === null) return Prisma.sql`(${key.expression} IS NULL AND ${idBeyond})`;
  const typed =
    key.type === 'timestamptz' ? Prisma.sql`${value}::timestamptz` : Prisma.sql`${value}::float8`;
  return Prisma.sql`(${key.expression} ${beyond} ${typed}
    OR (${key.expression} = ${typed} AND ${idBeyond})
    OR ${key.expression} IS NULL)`;
}

export function orderSql(key: SortKey): Prisma.Sql {
  const direction = key.descending ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  return Prisma.sql`${key.expression} ${direction} NULLS LAST, r.id ${direction}`;
}
