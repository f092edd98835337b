import { followApi } from '../../../../lib/api-subscription.ts';
import { LOGS_APPENDED_SUBSCRIPTION, parseAfterSeq } from '../../../../lib/run-logs.ts';
import { isRunId } from '../../../../lib/runs.ts';

export const dynamic = 'force-dynamic';

/** A comment line every 15 s keeps idle proxies from closing the stream. */
const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events of a run's new log lines after `afterSeq`, relayed from the API's
 * logsAppended subscription as /live relays the others: `ready`, a `lines` event per batch
 * (`{ lastSeq, lines }`), `failure` (then the end). The key stays on this server.
 */
export async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  const { id } = await params;
  let afterSeq: number;
  try {
    if (!isRunId(id)) throw new Error(`run: "${id}" is not a run id: give the run's full id`);
    afterSeq = parseAfterSeq(new URL(request.url).searchParams);
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
      const unfollow = followApi(
        [{ query: LOGS_APPENDED_SUBSCRIPTION, variables: { runId: id, afterSeq } }],
        {
          onReady: () => send('ready', {}),
          onEvent: (_index, data) =>
            send('lines', (data as { logsAppended: { lastSeq: number } }).logsAppended),
          onFailure: (message) => {
            if (!open) return;
            send('failure', { message });
            stop();
            controller.close();
          },
        },
      );
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
