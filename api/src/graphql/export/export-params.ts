import { RunStatus } from '../../db/generated/enums.ts';
import { badUserInput } from '../errors.ts';
import type { RunFilter } from '../runs/run-filter.input.ts';

export const EXPORT_LIMIT = { default: 10_000, max: 50_000 } as const;
const MAX_METRICS = 100;
const STATUSES = Object.values(RunStatus) as string[];

export interface ExportParams {
  filter: RunFilter;
  /** Metric keys whose latest values become columns, in the order asked for. */
  metrics: string[];
  limit: number;
}

/** `?a=x,y` and `?a=x&a=y` both give [x, y]; empty items are dropped. */
function listParam(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return raw
    .flatMap((item) => String(item).split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function limitParam(value: unknown): number {
  if (value === undefined) return EXPORT_LIMIT.default;
  const limit = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= EXPORT_LIMIT.max)) {
    throw badUserInput('limit', `must be an integer from 1 to ${EXPORT_LIMIT.max}`);
  }
  return limit;
}

/** Reads the export's query string; throws BAD_USER_INPUT naming the first bad parameter. */
export function parseExportParams(query: Record<string, unknown>): ExportParams {
  const status = listParam(query.status).map((item) => item.toUpperCase());
  const unknownStatus = status.find((item) => !STATUSES.includes(item));
  if (unknownStatus !== undefined) {
    throw badUserInput('status', `"${unknownStatus}" is not one of ${STATUSES.join(', ')}`);
  }
  const metrics = [...new Set(listParam(query.metrics))];
  if (metrics.length > MAX_METRICS) {
    throw badUserInput('metrics', `at most ${MAX_METRICS} metric keys`);
  }
  return {
    filter: {
      status: status as RunStatus[],
      kind: listParam(query.kind),
      tags: listParam(query.tags),
    },
    metrics,
    limit: limitParam(query.limit),
  };
}
