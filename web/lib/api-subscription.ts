import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { apiUrl } from './graphql.ts';
import type { LiveOperation } from './live-feed.ts';

export interface FollowHandlers {
  /** The API accepted the connection (and the key): changes flow from now on. */
  onReady: () => void;
  /** An event of the `index`th operation. */
  onEvent: (index: number, data: unknown) => void;
  /** The connection or a subscription failed or ended; nothing more will come. */
  onFailure: (message: string) => void;
}

/**
 * Subscribes to `operations` on the API over graphql-ws from the dashboard's server, sending the
 * dashboard's key (it never reaches the browser). No retries here: the browser reconnects with
 * backoff. Returns a function that ends every subscription and the connection.
 */
export function followApi(operations: LiveOperation[], handlers: FollowHandlers): () => void {
  const url = `${apiUrl().replace(/^http/, 'ws')}/graphql`;
  let ended = false;
  const fail = (message: string) => {
    if (ended) return;
    end();
    handlers.onFailure(message);
  };
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: process.env.FACTORLAB_API_KEY
      ? { authorization: `Bearer ${process.env.FACTORLAB_API_KEY}` }
      : {},
    on: {
      connected: () => {
        if (!ended) handlers.onReady();
      },
      closed: (event) =>
        fail(
          `the API's subscriptions at ${url} closed (${closeReason(event)}): is the lab running?`,
        ),
    },
  });
  const disposers = operations.map((operation, index) =>
    client.subscribe(operation, {
      next: (result) => {
        if (result.errors?.length) fail(result.errors.map((error) => error.message).join('\n'));
        else if (!ended) handlers.onEvent(index, result.data);
      },
      error: (error) => fail(errorMessage(error)),
      complete: () => fail('the API ended the subscription'),
    }),
  );
  function end(): void {
    if (ended) return;
    ended = true;
    for (const dispose of disposers) dispose();
    void client.dispose();
  }
  return end;
}

function closeReason(event: unknown): string {
  if (event instanceof Object && 'code' in event) {
    const reason = 'reason' in event && typeof event.reason === 'string' ? event.reason : '';
    return `code ${String(event.code)}${reason ? `: ${reason}` : ''}`;
  }
  return errorMessage(event);
}

function errorMessage(error: unknown): string {
  if (Array.isArray(error)) return error.map(errorMessage).join('\n');
  if (error instanceof Error) return error.message;
  if (error instanceof Object && 'message' in error) return String(error.message);
  if (error instanceof Object && 'type' in error) return `a socket ${String(error.type)} event`;
  return String(error);
}
