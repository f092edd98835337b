import { followApi } from '../../lib/api-subscription.ts';
import { liveOperations, type LiveOperation } from '../../lib/live-feed.ts';

export const dynamic = 'force-dynamic';

/** A comment line every 15 s keeps idle proxies from closing the stream. */
const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events for a live page, relayed from the API's subscriptions: `ready` once the API
 * accepted the dashboard's key (and sent the run's state, for a run page), `change` per event, `failure` (then the end) when the API cannot
 * be reached or refuses. The browser does not subscribe itself: the key stays on this server, and
 * the API may be reachable from here only (compose's gateway).
 */
export function GET(request: Request): Response {
  let operations: LiveOperation[];
  try {
    operations = liveOperations(new URL(request.url).searchParams);
  } catch (error) {
    return new Response(`${(error as Error).message}\n`, { status: 400 });
  }
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const write = (text: string) => {
        if (open) controller.enqueue(encoder.encode(text));
      };
      const send = (event: string, data: unknown) =>
        write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
      // Ready once connected and every state-first subscription has sent its state.
      const awaitingState = new Set(
        operations.flatMap((operation, index) => (operation.firstEventIsState ? [index] : [])),
      );
      let connected = false;
      const readyIfSettled = () => {
        if (connected && awaitingState.size === 0) send('ready', {});
      };
      const unfollow = followApi(operations, {
        onReady: () => {
          connected = true;
          readyIfSettled();
        },
        onEvent: (index, data) => {
          if (awaitingState.delete(index)) readyIfSettled();
          else send('change', { index, data });
        },
        onFailure: (message) => {
          if (!open) return;
          send('failure', { message });
          stop();
          controller.close();
        },
      });
      stop = () => {
        open = false;
        clearInterval(keepalive);
        unfollow();
      };
      request.signal.addEventListener('abort', () => stop());
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
