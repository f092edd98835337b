import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

const DEFAULT_API_URL = 'http://127.0.0.1:4000';

interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: { message: string; extensions?: { code?: unknown; field?: unknown } }[];
}

/** Error codes that mean the request itself is wrong: asking again cannot help. */
const REQUEST_ERROR_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
]);

/** An error the API answered, with its first `extensions.code` and input `field`, if any. */
export class ApiError extends Error {
  readonly code: string | null;
  /** The dotted path of the offending input field (`config.size`), for BAD_USER_INPUT. */
  readonly field: string | null;

  constructor(message: string, code: string | null, field: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
  }
}

/** The API's base URL, read on every call so a running dashboard follows the environment. */
export function apiUrl(): string {
  return (process.env.FACTORLAB_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, '');
}

/** The dashboard's key as an `Authorization` header, if it has one; read on the server only. */
export function apiKeyHeader(): { authorization?: string } {
  const key = process.env.FACTORLAB_API_KEY;
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** Variables an operation takes: none may be left out unless every one is optional. */
type VariablesOf<TVariables> =
  Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

/**
 * Runs one GraphQL operation against the lab's API, uncached; for server components. A document
 * from `graphql(...)` (web/lib/generated) types the variables and the result; a plain string is
 * typed by the caller's word, for documents assembled at run time from introspected fields.
 */
export async function gql<TData, TVariables>(
  document: DocumentTypeDecoration<TData, TVariables>,
  ...variables: VariablesOf<TVariables>
): Promise<TData>;
export async function gql<TData>(
  document: string,
  variables?: Record<string, unknown>,
): Promise<TData>;
export async function gql<TData>(
  document: string | DocumentTypeDecoration<TData, unknown>,
  variables: unknown = {},
): Promise<TData> {
  const query = document.toString();
  const endpoint = `${apiUrl()}/graphql`;
  const request = {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      // Read on the server only: the dashboard's key never reaches the browser.
      ...apiKeyHeader(),
    },
    body: JSON.stringify({ query, variables }),
    // The DOM's RequestInit has `cache`; Node's types (the tests' tsconfig) do not.
    cache: 'no-store' as const,
  };
  let response: Response;
  try {
    response = await fetch(endpoint, request);
  } catch (cause) {
    throw new Error(
      `Cannot reach the FactorLab API at ${endpoint}: is the lab running? start it with \`npm start\``,
      { cause },
    );
  }

  const body = await readGraphQLBody<TData>(response);
  if (body?.errors?.length) {
    const code = body.errors
      .map((error) => error.extensions?.code)
      .find((c) => typeof c === 'string');
    const field = body.errors
      .map((error) => error.extensions?.field)
      .find((f) => typeof f === 'string');
    throw new ApiError(
      body.errors.map((error) => error.message).join('\n'),
      code ?? null,
      field ?? null,
    );
  }
  if (!response.ok || body?.data == null) {
    throw new Error(
      `The FactorLab API at ${endpoint} answered HTTP ${response.status} without data`,
    );
  }
  return body.data;
}

async function readGraphQLBody<TData>(response: Response): Promise<GraphQLResponse<TData> | null> {
  try {
    return (await response.json()) as GraphQLResponse<TData>;
  } catch {
    return null;
  }
}

export type Loaded<T> =
  | { data: T; error?: never; retryable?: never }
  | { data?: never; error: string; retryable: boolean };

/**
 * Settles a load into data or an error message, so a page can show an error panel, not crash.
 * `retryable` is false when the API refused the request itself (a bad id or cursor in the URL).
 */
export async function loadOrError<T>(pending: Promise<T>): Promise<Loaded<T>> {
  try {
    return { data: await pending };
  } catch (error) {
    const retryable = !(error instanceof ApiError && REQUEST_ERROR_CODES.has(error.code ?? ''));
    return { error: error instanceof Error ? error.message : String(error), retryable };
  }
}
