import { followApi } from '../../lib/api-subscription.ts';
import { eventStreamResponse } from '../../lib/event-stream.ts';
import { liveOperations, type LiveOperation } from '../../lib/live-feed.ts';

export const dynamic = 'force-dynamic';

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
  return eventStreamResponse(request, (send, fail) => {
    // Ready once connected and every state-first subscription has sent its state.
    const awaitingState = new Set(
      operations.flatMap((operation, index) => (operation.firstEventIsState ? [index] : [])),
    );
    let connected = false;
    const readyIfSettled = () => {
      if (connected && awaitingState.size === 0) send('ready', {});
    };
    return followApi(operations, {
      onReady: () => {
        connected = true;
        readyIfSettled();
      },
      onEvent: (index, data) => {
        if (awaitingState.delete(index)) readyIfSettled();
        else send('change', { index, data });
      },
      onFailure: fail,
    });
  });
}
