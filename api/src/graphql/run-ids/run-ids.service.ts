import type { Db } from '../../db/client.ts';
import type { RunIdMatch } from './run-id-match.type.ts';
import { uuidPrefixRange, type UuidRange } from './run-id-prefix.ts';

/** The most prefixes one request resolves: as many runs as compare takes. */
export const MAX_PREFIXES = 50;

/** How many ids starting with a prefix are read: enough to show that several do. */
const SHOWN_MATCHES = 3;

/**
 * The first few run ids inside each range, in id order, in one query (an index range scan per
 * range).
 */
export async function runIdsInRanges(db: Db, ranges: readonly UuidRange[]): Promise<string[][]> {
  if (ranges.length === 0) return [];
  const rows = await db.$queryRaw<{ i: number; id: string }[]>`
    SELECT p.i::int AS i, m.id::text AS id
    FROM unnest(${ranges.map((range) => range.low)}::uuid[],
                ${ranges.map((range) => range.high)}::uuid[]) WITH ORDINALITY AS p(low, high, i)
    CROSS JOIN LATERAL (
      SELECT r.id FROM run r WHERE r.id BETWEEN p.low AND p.high ORDER BY r.id LIMIT ${SHOWN_MATCHES}
    ) m
    ORDER BY p.i, m.id`;
  const found = ranges.map((): string[] => []);
  for (const row of rows) found[row.i - 1]!.push(row.id);
  return found;
}

/** What several run ids starting with `prefix` are told. */
export function severalRunsMessage(prefix: string, ids: readonly string[]): string {
  const shown = ids.slice(0, SHOWN_MATCHES - 1).join(', ');
  return `"${prefix}" starts several run ids (${shown}${ids.length >= SHOWN_MATCHES ? ', ...' : ''}): give more digits`;
}

/** Each prefix as `runId` would resolve it, with the reason instead of an error where it cannot. */
export async function matchRunIds(db: Db, prefixes: readonly string[]): Promise<RunIdMatch[]> {
  const ranges = prefixes.map((prefix) => uuidPrefixRange(prefix));
  const valid = ranges.filter((range): range is UuidRange => typeof range !== 'string');
  const found = await runIdsInRanges(db, valid);
  let next = 0;
  return prefixes.map((prefix, i) => {
    const range = ranges[i]!;
    if (typeof range === 'string') return { prefix, id: null, problem: range };
    const ids = found[next++]!;
    if (ids.length === 1) return { prefix, id: ids[0]!, problem: null };
    const problem =
      ids.length === 0 ? `no run id starts with "${prefix}"` : severalRunsMessage(prefix, ids);
    return { prefix, id: null, problem };
  });
}
