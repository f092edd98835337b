import { gql } from './graphql.ts';

/** How many of a run's newest lines its page shows, and keeps as new ones stream in. */
export const RUN_LOG_LINES_SHOWN = 500;

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

export interface LogLine {
  seq: number;
  level: LogLevel;
  message: string;
  /** ISO time the worker logged it. */
  loggedAt: string;
}

export const RUN_LOG_TAIL_QUERY = /* GraphQL */ `
  query RunLogTail($id: ID!, $last: Int!) {
    run(id: $id) {
      logs(last: $last) {
        lines {
          seq
          level
          message
          loggedAt
        }
      }
    }
  }
`;

export const LOGS_APPENDED_SUBSCRIPTION = /* GraphQL */ `
  subscription LogsAppended($runId: ID!, $afterSeq: Int!) {
    logsAppended(runId: $runId, afterSeq: $afterSeq) {
      lastSeq
      lines {
        seq
        level
        message
        loggedAt
      }
    }
  }
`;

/** The run's newest `last` log lines, oldest first; null when no run has this id. */
export async function fetchRunLogTail(
  runId: string,
  last = RUN_LOG_LINES_SHOWN,
): Promise<LogLine[] | null> {
  const { run } = await gql<{ run: { logs: { lines: LogLine[] } } | null }>(RUN_LOG_TAIL_QUERY, {
    id: runId,
    last,
  });
  return run?.logs.lines ?? null;
}

/** Where the run page streams new log lines from: the dashboard's relay of logsAppended. */
export function runLogFeedHref(runId: string, afterSeq: number): string {
  return `/runs/${runId}/logs?${new URLSearchParams({ afterSeq: String(afterSeq) })}`;
}

/** The `afterSeq` of a log feed request; throws naming the parameter and what it should be. */
export function parseAfterSeq(params: URLSearchParams): number {
  const given = params.get('afterSeq') ?? '0';
  const afterSeq = Number(given);
  if (given.trim() === '' || !Number.isSafeInteger(afterSeq) || afterSeq < 0) {
    throw new Error(
      `afterSeq: "${given}" is not a log line number: give the last seq the page shows, or 0`,
    );
  }
  return afterSeq;
}

/**
 * `shown` with `arrived` appended in seq order, each line once, the newest `keep` kept: a batch
 * replayed after a reconnect adds nothing twice.
 */
export function appendLogLines(
  shown: readonly LogLine[],
  arrived: readonly LogLine[],
  keep = RUN_LOG_LINES_SHOWN,
): LogLine[] {
  let lastSeq = shown.at(-1)?.seq ?? 0;
  const merged = [...shown];
  for (const line of arrived) {
    if (line.seq <= lastSeq) continue;
    merged.push(line);
    lastSeq = line.seq;
  }
  return merged.length > keep ? merged.slice(merged.length - keep) : merged;
}
