import { tmpdir } from 'node:os';
import type { AuthMode } from '../../api/src/auth/viewer.ts';
import { PathRoots } from '../../api/src/files/path-roots.ts';
import { startApiServer, type ApiServerOptions } from '../../api/src/graphql/server.ts';
import type { TestDatabase } from './test-database.ts';

export interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

export interface TestApi {
  url: string;
  gql<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    apiKey?: string,
  ): Promise<GraphQLResponse<TData>>;
  stop(): Promise<void>;
}

export async function postGraphQL<TData>(
  apiUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  apiKey?: string,
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<TData>;
}

/**
 * The real API server on a free loopback port, over the given test database. Tests keep their
 * models and datasets in the system's temporary folder, so that is its path root unless `options`
 * says otherwise.
 */
export async function startTestApi(
  database: TestDatabase,
  auth: AuthMode = 'off',
  options: Partial<ApiServerOptions> = {},
): Promise<TestApi> {
  const server = await startApiServer(database.db, {
    host: '127.0.0.1',
    port: 0,
    auth,
    databaseUrl: database.url,
    paths: new PathRoots([tmpdir()]),
    ...options,
  });
  return {
    url: server.url,
    gql: (query, variables, apiKey) => postGraphQL(server.url, query, variables, apiKey),
    stop: server.stop,
  };
}

export const QUEUE_MUTATION = `
  mutation Queue($input: QueueExperimentInput!) {
    queueExperiment(input: $input) { run { id status kind name priority tags config queuedAt } }
  }`;
