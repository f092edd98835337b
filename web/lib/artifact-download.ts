import { apiKeyHeader, apiUrl } from './graphql.ts';

/** Headers of the API's answer the browser gets; the rest (its connection's) stay here. */
const RELAYED_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'etag',
  'cache-control',
  'x-content-type-options',
];

/**
 * The dashboard's address of an artifact's download, the API's own path (/artifacts/<id>), which
 * this server relays with its key: a file as it is, a folder (checkpoints, models) as a .tar.
 */
export function artifactDownloadHref(artifactId: string): string {
  return `/artifacts/${encodeURIComponent(artifactId)}`;
}

/**
 * The API path that the segments after /artifacts/ name: `<id>`, `<id>/files` or
 * `<id>/files/<name...>`, each segment encoded again so none can climb out of /artifacts/.
 * Throws naming what is wrong otherwise.
 */
export function artifactApiPath(segments: readonly string[]): string {
  const [id, files, ...names] = segments;
  if (id === undefined || (files !== undefined && files !== 'files')) {
    throw new Error(
      'an artifact is downloaded at /artifacts/<id>, its files at /artifacts/<id>/files',
    );
  }
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new Error('an artifact path takes no empty, "." or ".." segment');
  }
  return `/artifacts/${[id, ...(files ? [files] : []), ...names].map(encodeURIComponent).join('/')}`;
}

interface ApiErrorBody {
  errors?: { message?: unknown }[];
}

/** The API's refusal as plain text for the browser: its messages, one a line. */
async function refusalText(upstream: Response): Promise<string> {
  const text = await upstream.text();
  try {
    const messages = ((JSON.parse(text) as ApiErrorBody).errors ?? [])
      .map((error) => error.message)
      .filter((message): message is string => typeof message === 'string');
    if (messages.length > 0) return `${messages.join('\n')}\n`;
  } catch {
    // not the API's JSON: passed on as it is
  }
  return text;
}

function plainText(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/**
 * Relays an artifact download from the API to the browser with the dashboard's key (the
 * browser holds none; the API checks the key's role): status and headers passed on, the body
 * streamed as it arrives, a refusal as its message in plain text, and the API's request cut
 * when the browser goes away.
 */
export async function relayArtifact(request: Request, segments: readonly string[]) {
  let apiPath: string;
  try {
    apiPath = artifactApiPath(segments);
  } catch (error) {
    return plainText(400, `${(error as Error).message}\n`);
  }
  const endpoint = `${apiUrl()}${apiPath}`;
  const ifNoneMatch = request.headers.get('if-none-match');
  let upstream: Response;
  try {
    const init = {
      method: request.method === 'HEAD' ? 'HEAD' : 'GET',
      headers: { ...apiKeyHeader(), ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}) },
      signal: request.signal,
      // The DOM's RequestInit has `cache`; Node's types (the tests' tsconfig) do not.
      cache: 'no-store' as const,
    };
    upstream = await fetch(endpoint, init);
  } catch (cause) {
    if (request.signal.aborted) return plainText(499, 'the download was cancelled\n');
    console.error(`[artifacts] cannot reach the API at ${endpoint}:`, cause);
    return plainText(
      502,
      `Cannot reach the FactorLab API at ${apiUrl()}: is the lab running? start it with \`npm start\`\n`,
    );
  }
  if (upstream.status >= 400) return plainText(upstream.status, await refusalText(upstream));
  const headers = new Headers();
  for (const name of RELAYED_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(upstream.status === 304 ? null : upstream.body, {
    status: upstream.status,
    headers,
  });
}
