import { followApi } from '../../../../lib/api-subscription.ts';
import { eventStreamResponse } from '../../../../lib/event-stream.ts';
import { LOGS_APPENDED_SUBSCRIPTION, parseAfterSeq } from '../../../../lib/run-logs.ts';
import { isRunId } from '../../../../lib/runs.ts';

export const dynamic = 'force-dynamic';

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
  return eventStreamResponse(request, (send, fail) =>
    followApi([{ query: LOGS_APPENDED_SUBSCRIPTION, variables: { runId: id, afterSeq } }], {
      onReady: () => send('ready', {}),
      onEvent: (_index, data) =>
        send('lines', (data as { logsAppended: { lastSeq: number } }).logsAppended),
      onFailure: fail,
    }),
  );
}
