import { FACTORISATION_FIELDS, type Factorisation } from './factorisation.ts';
import { gql } from './graphql.ts';
import type { ColumnGroup, LeaderboardColumn, LeaderboardFields } from './leaderboard-columns.ts';
import { leaderboardFilter, leaderboardOrder, type LeaderboardQuery } from './leaderboard-query.ts';
import type { Spread } from './noise.ts';
import type { RunStatus } from './runs.ts';

/** One finished configuration: its representative run and the values of every column. */
export interface LeaderboardRow {
  kind: string;
  configHash: string;
  config: unknown;
  runCount: number;
  run: {
    id: string;
    name: string;
    status: RunStatus;
    device: unknown;
    finishedAt: string | null;
  };
  /** Where the speeds were measured, else where the run computed; the engine's JSON. */
  device: unknown;
  /** Column values by group and GraphQL field name; null where the run reports none. */
  values: Record<ColumnGroup, Record<string, number | null>>;
  /** Split, router, gating, N, k, PA, distillation, or dense; null where the config says none. */
  factorisation: Factorisation | null;
  /** By metric key, over every succeeded run of the configuration; empty for a single run. */
  spreads: Record<string, Spread>;
}

export interface LeaderboardPage {
  rows: LeaderboardRow[];
  totalCount: number;
  nextCursor: string | null;
}

export const LEADERBOARD_PAGE_SIZE = 25;

interface SpreadData {
  key: string;
  count: number;
  mean: number;
  min: number;
  max: number;
  stdDev: number;
}

interface EntryData extends Omit<LeaderboardRow, 'values' | 'device' | 'spreads'> {
  quality: Record<string, number | null> | null;
  speed: (Record<string, number | null> & { device?: unknown }) | null;
  spread: SpreadData[];
}

function spreadsByKey(spread: readonly SpreadData[]): Record<string, Spread> {
  return Object.fromEntries(
    spread.map(({ key, ...figures }) => [
      key,
      {
        ...figures,
        relativeRange:
          figures.mean === 0 ? 0 : (figures.max - figures.min) / Math.abs(figures.mean),
      },
    ]),
  );
}

interface LeaderboardData {
  leaderboard: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: EntryData }[];
  };
}

function selection(fields: LeaderboardFields, group: ColumnGroup): string {
  const names = fields.columns
    .filter((column) => column.group === group)
    .map((column) => column.field);
  if (group === 'speed' && fields.speedDevice) names.push('device');
  return names.length > 0 ? `${group} { ${names.join(' ')} }` : '';
}

/** The leaderboard query selecting the columns in `fields`. */
export function leaderboardDocument(fields: LeaderboardFields): string {
  return `query Leaderboard($first: Int!, $after: String, $filter: LeaderboardFilter,
      $orderBy: LeaderboardOrder) {
    leaderboard(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        kind configHash config runCount
        run { id name status device finishedAt }
        factorisation { ${FACTORISATION_FIELDS} }
        spread { key count mean min max stdDev }
        ${selection(fields, 'quality')}
        ${selection(fields, 'speed')}
      } }
    }
  }`;
}

/** A page of the leaderboard as `query` asks for, with the values of the columns in `fields`. */
export async function fetchLeaderboardPage(
  query: LeaderboardQuery,
  fields: LeaderboardFields,
): Promise<LeaderboardPage> {
  const { leaderboard } = await gql<LeaderboardData>(leaderboardDocument(fields), {
    first: LEADERBOARD_PAGE_SIZE,
    after: query.after,
    filter: leaderboardFilter(query),
    orderBy: leaderboardOrder(query),
  });
  return {
    rows: leaderboard.edges.map(({ node: { quality, speed, spread, ...entry } }) => {
      const { device, ...speeds } = speed ?? {};
      return {
        ...entry,
        device: device ?? entry.run.device,
        values: { quality: quality ?? {}, speed: speeds },
        spreads: spreadsByKey(spread),
      };
    }),
    totalCount: leaderboard.totalCount,
    nextCursor: leaderboard.pageInfo.hasNextPage ? leaderboard.pageInfo.endCursor : null,
  };
}

/** The mean and spread of `column` over the configuration's runs, when it has several. */
export function columnSpread(row: LeaderboardRow, column: LeaderboardColumn): Spread | null {
  if (column.metricKey === null) return null;
  return row.spreads[column.metricKey] ?? null;
}

/** The row's value of `column`, or null when its run reports none. */
export function columnValue(row: LeaderboardRow, column: LeaderboardColumn): number | null {
  return row.values[column.group][column.field] ?? null;
}
