import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client whose handshake carries `origin` (browsers always send one). */
export function wsClientFrom(apiUrl: string, origin: string | undefined, apiKey?: string): Client {
  class OriginWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, origin === undefined ? {} : { origin });
    }
  }
  return createClient({
    url: `${apiUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: OriginWebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
  });
}

/** The HTTP status a WebSocket handshake to /graphql is answered with (101 when accepted). */
export function handshakeStatus(apiUrl: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(
      `${apiUrl.replace(/^http/, 'ws')}/graphql`,
      'graphql-transport-ws',
      {
        origin,
      },
    );
    socket.once('upgrade', (response) => {
      socket.close();
      resolve(response.statusCode ?? 0);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Runs one operation over graphql-ws and gathers its results; a socket error is returned too. */
export function runOverWebSocket(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{
  results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  error?: unknown;
}> {
  const results: FormattedExecutionResult<Record<string, unknown>, unknown>[] = [];
  return new Promise((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (result) => void results.push(result),
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  });
}
