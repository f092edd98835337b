import { graphql } from './generated/gql.ts';
import type { ModelsQuery } from './generated/graphql.ts';
import { runTimeDocument, type RunTimeDocument } from './run-time-document.ts';
import { gql } from './graphql.ts';

type ModelNode = ModelsQuery['models']['edges'][number]['node'];

export interface RegisteredModel extends Omit<ModelNode, 'config'> {
  /** The checkpoint's config.json. */
  config: Record<string, unknown>;
  /** Runs whose config names this checkpoint folder as its `model`. */
  runCount: number;
}

export interface ModelsPage {
  models: RegisteredModel[];
  totalCount: number;
  nextCursor: string | null;
}

export const MODELS_PAGE_SIZE = 20;

export const MODELS_QUERY = graphql(`
  query Models($first: Int!, $after: String) {
    models(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          path
          config
          parameterCount
          bytes
          sha256
          createdAt
        }
      }
    }
  }
`);

/** How many runs name each of `pathCount` model paths as `config.model`: aliases `m0`, `m1`, ... */
export function modelRunCountsDocument(
  pathCount: number,
): RunTimeDocument<Record<string, { totalCount: number }>> {
  const indexes = Array.from({ length: pathCount }, (_, i) => i);
  const parameters = indexes.map((i) => `$p${i}: JSON`).join(', ');
  const fields = indexes
    .map(
      (i) =>
        `m${i}: runs(first: 1, filter: { config: [{ path: "model", eq: $p${i} }] }) { totalCount }`,
    )
    .join('\n');
  return runTimeDocument(`query ModelRunCounts(${parameters}) { ${fields} }`);
}

/** A page of registered models, newest first, each with how many runs used it. */
export async function fetchModelsPage(after: string | null): Promise<ModelsPage> {
  const { models } = await gql(MODELS_QUERY, { first: MODELS_PAGE_SIZE, after });
  const nodes = models.edges.map((edge) => edge.node);
  const counts = await runCountsByModelPath(nodes.map((node) => node.path));
  return {
    models: nodes.map((node, i) => ({
      ...node,
      config: objectOrEmpty(node.config),
      runCount: counts[i] ?? 0,
    })),
    totalCount: models.totalCount,
    nextCursor: models.pageInfo.hasNextPage ? models.pageInfo.endCursor : null,
  };
}

/** For each path, how many runs have it as `config.model`: one request, one alias per path. */
async function runCountsByModelPath(paths: string[]): Promise<number[]> {
  if (paths.length === 0) return [];
  const data = await gql(
    modelRunCountsDocument(paths.length),
    Object.fromEntries(paths.map((path, i) => [`p${i}`, path])),
  );
  return paths.map((_, i) => data[`m${i}`]?.totalCount ?? 0);
}

/** A JSON value as an object; anything else (a config.json the API could not read) as none. */
function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
