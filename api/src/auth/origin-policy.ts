import type { IncomingMessage } from 'node:http';

/**
 * Which web pages may call the API from a browser. Browsers send `Origin` on cross-site requests
 * and on every WebSocket handshake; a page may call only if it is the API's own origin or one the
 * deployment allows (FACTORLAB_ALLOWED_ORIGINS). Callers that are not browsers (the CLI, the
 * dashboard's server, curl) send no Origin and are unaffected: their key is what guards them.
 */
export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[] = []) {
    this.allowed = new Set(allowedOrigins.map(normalisedOrigin));
  }

  /** Why a request is refused, or null when its origin may call. */
  refusal(request: Pick<IncomingMessage, 'headers'>): string | null {
    const origin = request.headers.origin;
    if (origin === undefined) return null;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return `the Origin header "${origin}" is not an origin`;
    }
    if (url.origin !== 'null' && url.host === request.headers.host) return null;
    if (this.allowed.has(url.origin)) return null;
    return (
      `requests from the web page origin ${origin} are refused: only the API's own origin and ` +
      'those listed in FACTORLAB_ALLOWED_ORIGINS (comma-separated) may call it from a browser'
    );
  }
}

/** `scheme://host[:port]` as URL writes it; throws naming the value when it is not an origin. */
export function normalisedOrigin(origin: string): string {
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    // refused below
  }
  const bare = url && url.pathname === '/' && !url.search && !url.hash && !url.username;
  if (!url || !bare || url.origin === 'null') {
    throw new Error(
      `"${origin}" is not an origin: write scheme, host and port only, e.g. https://lab.example.org`,
    );
  }
  return url.origin;
}
