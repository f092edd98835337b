import type { LabConfig } from '../config.ts';

/** The header that carries the lab's API key (FACTORLAB_API_KEY), when one is set. */
export function authHeaders(lab: LabConfig): Record<string, string> {
  return lab.apiKey ? { authorization: `Bearer ${lab.apiKey}` } : {};
}

/** The error for an API that does not answer, naming where it was looked for and the fix. */
export function unreachableApi(where: string): Error {
  return new Error(
    `cannot reach the lab's API at ${where}: start the lab with \`npm start\`, ` +
      'or set FACTORLAB_API_URL to where it runs',
  );
}

/** A GraphQL call from the command line to a running lab's API. */
export async function callApi<TData>(
  lab: LabConfig,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<TData> {
  const endpoint = `${lab.apiUrl.replace(/\/$/, '')}/graphql`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(lab) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw unreachableApi(endpoint);
  }
  const body = (await response.json().catch(() => null)) as {
    data?: TData;
    errors?: { message: string }[];
  } | null;
  if (!body) {
    throw new Error(`the API at ${endpoint} answered HTTP ${response.status} without JSON`);
  }
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  if (!body.data) throw new Error(`the API at ${endpoint} returned no data`);
  return body.data;
}
