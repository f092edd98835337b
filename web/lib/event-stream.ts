/** A comment line every 15 s keeps idle proxies from closing the stream. */
const KEEPALIVE_MS = 15_000;

export type SendEvent = (event: string, data: unknown) => void;

/**
 * A server-sent events response relaying what `follow` receives: it starts following, sends
 * events through `send` and reports a failure through `fail` (a `failure` event, then the end),
 * and returns how to stop, which runs when the browser goes away.
 */
export function eventStreamResponse(
  request: Request,
  follow: (send: SendEvent, fail: (message: string) => void) => () => void,
): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const write = (text: string) => {
        if (open) controller.enqueue(encoder.encode(text));
      };
      const send: SendEvent = (event, data) =>
        write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
      const unfollow = follow(send, (message) => {
        if (!open) return;
        send('failure', { message });
        stop();
        controller.close();
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
