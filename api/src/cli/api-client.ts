/** A GraphQL call from the command line to a running lab's API. */
export async function callApi<TData>(
  apiUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<TData> {
  const endpoint = `${apiUrl.replace(/\/$/, '')}/graphql`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(process.env.FACTORLAB_API_KEY
          ? { authorization: `Bearer ${process.env.FACTORLAB_API_KEY}` }
          : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new Error(
      `cannot reach the lab's API at ${endpoint}: start the lab with \`npm start\`, ` +
        `or set FACTORLAB_API_URL to where it runs`,
    );
  }
  const body = (await response.json().catch(() => null)) as {
    data?: TData;
    errors?: { message: string }[];
  } | null;
  if (!body)
    throw new Error(`the API at ${endpoint} answered HTTP ${response.status} without JSON`);
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  if (!body.data) throw new Error(`the API at ${endpoint} returned no data`);
  return body.data;
}
