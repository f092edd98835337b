import { gql } from './graphql.ts';
import type { ColumnGroup, LeaderboardColumn } from './leaderboard-columns.ts';
import { leaderboardFilter, leaderboardOrder, type LeaderboardQuery } from './leaderboard-query.ts';
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
  /** Column values by group and GraphQL field name; null where the run reports none. */
  values: Record<ColumnGroup, Record<string, number | null>>;
}

export interface LeaderboardPage {
  rows: LeaderboardRow[];
  totalCount: number;
  nextCursor: string | null;
}

export const LEADERBOARD_PAGE_SIZE = 25;

interface EntryData extends Omit<LeaderboardRow, 'values'> {
  quality: Record<string, number | null> | null;
  speed: Record<string, number | null> | null;
}

interface LeaderboardData {
  leaderboard: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: EntryData }[];
  };
}

function selection(columns: LeaderboardColumn[], group: ColumnGroup): string {
  const fields = columns.filter((column) => column.group === group).map((column) => column.field);
  return fields.length > 0 ? `${group} { ${fields.join(' ')} }` : '';
}

/** A page of the leaderboard as `query` asks for, with the values of `columns`. */
export async function fetchLeaderboardPage(
  query: LeaderboardQuery,
  columns: LeaderboardColumn[],
): Promise<LeaderboardPage> {
  const { leaderboard } = await gql<LeaderboardData>(
    `query Leaderboard($first: Int!, $after: String, $filter: LeaderboardFilter,
        $orderBy: LeaderboardOrder) {
      leaderboard(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node {
          kind configHash config runCount
          run { id name status device finishedAt }
          ${selection(columns, 'quality')}
          ${selection(columns, 'speed')}
        } }
      }
    }`,
    {
      first: LEADERBOARD_PAGE_SIZE,
      after: query.after,
      filter: leaderboardFilter(query),
      orderBy: leaderboardOrder(query),
    },
  );
  return {
    rows: leaderboard.edges.map(({ node: { quality, speed, ...entry } }) => ({
      ...entry,
      values: { quality: quality ?? {}, speed: speed ?? {} },
    })),
    totalCount: leaderboard.totalCount,
    nextCursor: leaderboard.pageInfo.hasNextPage ? leaderboard.pageInfo.endCursor : null,
  };
}

/** The row's value of `column`, or null when its run reports none. */
export function columnValue(row: LeaderboardRow, column: LeaderboardColumn): number | null {
  return row.values[column.group][column.field] ?? null;
}
