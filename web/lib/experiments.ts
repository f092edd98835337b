import { graphql } from './generated/gql.ts';
import type { ExperimentFilter, ExperimentQuery, ExperimentsQuery } from './generated/graphql.ts';
import { gql } from './graphql.ts';
import { firstParam, listParam, type SearchParams } from './search-params.ts';

export type ExperimentSummary = ExperimentsQuery['experiments']['edges'][number]['node'];
export type ExperimentDetail = NonNullable<ExperimentQuery['experiment']>;

export const EXPERIMENTS_PAGE_SIZE = 20;

export const EXPERIMENTS_QUERY = graphql(`
  query Experiments($first: Int!, $after: String, $filter: ExperimentFilter) {
    experiments(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          kind
          tags
          createdAt
          runCount
          sweepId
          latestRun {
            id
            status
          }
        }
      }
    }
  }
`);

export const EXPERIMENT_QUERY = graphql(`
  query Experiment($id: ID!) {
    experiment(id: $id) {
      id
      name
      kind
      config
      configHash
      tags
      createdAt
      runCount
      sweepId
      runs {
        id
        status
        progress
        attempt
        queuedAt
        startedAt
        finishedAt
      }
    }
  }
`);

/** The experiments page as its URL holds it: a name search, kinds, and the page. */
export interface ExperimentsQueryState {
  text: string | null;
  kinds: string[];
  after: string | null;
}

export function parseExperimentsQuery(params: SearchParams): ExperimentsQueryState {
  return {
    text: firstParam(params.q)?.trim() || null,
    kinds: listParam(params.kind),
    after: firstParam(params.after),
  };
}

/** The API's ExperimentFilter for the query, or null when nothing is filtered. */
export function experimentFilter(query: ExperimentsQueryState): ExperimentFilter | null {
  const filter: ExperimentFilter = {};
  if (query.text !== null) filter.nameContains = query.text;
  if (query.kinds.length > 0) filter.kind = query.kinds;
  return Object.keys(filter).length > 0 ? filter : null;
}

/** The experiments page's URL for `query` with `changes`; a new filter starts at page one. */
export function experimentsHref(
  query: ExperimentsQueryState,
  changes: Partial<ExperimentsQueryState> = {},
): string {
  const next = { ...query, after: null, ...changes };
  const params = new URLSearchParams();
  if (next.text !== null) params.set('q', next.text);
  if (next.kinds.length > 0) params.set('kind', next.kinds.join(','));
  if (next.after !== null) params.set('after', next.after);
  const search = params.toString();
  return search === '' ? '/experiments' : `/experiments?${search}`;
}

export interface ExperimentsPage {
  experiments: ExperimentSummary[];
  totalCount: number;
  nextCursor: string | null;
}

/** One page of experiments, newest first, matching the query's filter. */
export async function fetchExperimentsPage(query: ExperimentsQueryState): Promise<ExperimentsPage> {
  const { experiments } = await gql(EXPERIMENTS_QUERY, {
    first: EXPERIMENTS_PAGE_SIZE,
    after: query.after,
    filter: experimentFilter(query),
  });
  return {
    experiments: experiments.edges.map((edge) => edge.node),
    totalCount: experiments.totalCount,
    nextCursor: experiments.pageInfo.hasNextPage ? experiments.pageInfo.endCursor : null,
  };
}

/** The experiment with this id, with its runs newest first, or null when the API knows none. */
export async function fetchExperiment(id: string): Promise<ExperimentDetail | null> {
  const { experiment } = await gql(EXPERIMENT_QUERY, { id });
  return experiment;
}
