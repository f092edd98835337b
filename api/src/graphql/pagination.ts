import { badUserInput } from './errors.ts';

/** The largest page any connection serves. */
export const MAX_PAGE_SIZE = 100;

export function assertPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInput('first', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
}

/** A Relay connection's fields from one page of edges (fetched with one row beyond the page). */
export function connectionOf<Edge extends { cursor: string }>(
  edges: Edge[],
  page: { totalCount: number; hasNextPage: boolean; hasPreviousPage: boolean },
) {
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
