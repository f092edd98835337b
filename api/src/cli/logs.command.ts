import { createClient, type Client } from 'graphql-ws/client';
import WebSocket from 'ws';
import type { Command } from 'commander';
import { readConfig, type LabConfig } from '../config.ts';
import { authHeaders, callApi, unreachableApi } from './api-client.ts';
import { subscriptionError } from './graphql-error-message.ts';
import { resolveRunId } from './run-id.ts';

export interface LogLine {
  seq: number;
  level: string;
  message: string;
  loggedAt: string;
}

const PAGE = 500;
const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
const LINE_FIELDS = 'seq level message loggedAt';

const LOG_PAGE_QUERY = `query($id: ID!, $after: Int!, $first: Int!) {
  run(id: $id) { status logs(after: $after, first: $first) {
    lines { ${LINE_FIELDS} } lastSeq hasNextPage } } }`;

const FOLLOW_SUBSCRIPTION = `subscription($runId: ID!, $afterSeq: Int!) {
  logsAppended(runId: $runId, afterSeq: $afterSeq) { lastSeq lines { ${LINE_FIELDS} } } }`;

const STATUS_SUBSCRIPTION = `subscription($id: ID!) { runUpdated(id: $id) { status } }`;

/** One line as `lab logs` prints it: time, level, message (JSON Lines with --json). */
export function formatLogLine(line: LogLine, json: boolean): string {
  if (json) return JSON.stringify(line);
  return `${line.loggedAt} ${line.level.padEnd(5)} ${line.message}`;
}

/** Prints lines in seq order, each once, whichever way (page or subscription) they came. */
class LinePrinter {
  lastSeq = 0;

  constructor(private readonly json: boolean) {}

  print(lines: readonly LogLine[]): void {
    for (const line of lines) {
      if (line.seq <= this.lastSeq) continue;
      process.stdout.write(`${formatLogLine(line, this.json)}\n`);
      this.lastSeq = line.seq;
    }
  }
}

/** Prints the stored lines after the printer's last; returns the run's status. */
async function printStored(lab: LabConfig, runId: string, printer: LinePrinter): Promise<string> {
  for (;;) {
    const { run } = await callApi<{
      run: { status: string; logs: { lines: LogLine[]; hasNextPage: boolean } } | null;
    }>(lab, LOG_PAGE_QUERY, { id: runId, after: printer.lastSeq, first: PAGE });
    if (!run) throw new Error(`no run has the id ${runId}: \`lab runs\` lists the runs`);
    printer.print(run.logs.lines);
    if (!run.logs.hasNextPage) return run.status;
  }
}

/** Streams new lines until the run ends, then prints whatever was written last. */
async function follow(lab: LabConfig, runId: string, printer: LinePrinter): Promise<void> {
  const client: Client = createClient({
    url: `${lab.apiUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: authHeaders(lab),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) =>
        reject(subscriptionError(error, () => unreachableApi(lab.apiUrl)));
      client.subscribe<{ logsAppended: { lines: LogLine[] } }>(
        { query: FOLLOW_SUBSCRIPTION, variables: { runId, afterSeq: printer.lastSeq } },
        {
          next: ({ data, errors }) => {
            if (errors?.length) return fail(errors);
            if (data) printer.print(data.logsAppended.lines);
          },
          error: fail,
          complete: () => resolve(),
        },
      );
      client.subscribe<{ runUpdated: { status: string } }>(
        { query: STATUS_SUBSCRIPTION, variables: { id: runId } },
        {
          next: ({ data, errors }) => {
            if (errors?.length) return fail(errors);
            if (data && FINISHED.has(data.runUpdated.status)) resolve();
          },
          error: fail,
          complete: () => resolve(),
        },
      );
    });
  } finally {
    await client.dispose();
  }
  // The last lines may be written just before the status changes: read them over HTTP.
  await printStored(lab, runId, printer);
}

/** `lab logs RUN`: prints a run's log; with `follow`, keeps printing new lines until it ends. */
export async function logsCommand(
  lab: LabConfig,
  typedId: string,
  options: { follow: boolean; json: boolean },
): Promise<void> {
  const runId = await resolveRunId(lab, typedId);
  const printer = new LinePrinter(options.json);
  const status = await printStored(lab, runId, printer);
  if (options.follow && !FINISHED.has(status)) await follow(lab, runId, printer);
  if (printer.lastSeq === 0) {
    // On stderr, so that a pipe reading the lines gets none.
    process.stderr.write(
      FINISHED.has(status) || options.follow
        ? `run ${runId} has no log lines (runs of workers older than run logs have none)\n`
        : `run ${runId} has no log lines yet: \`lab logs ${typedId} --follow\` waits for them\n`,
    );
  }
}

/** `lab logs RUN [--follow] [--json]`. */
export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("print a run's log (stages, progress, warnings, the error that failed it)")
    .argument('<run>', 'the run id, or its first digits as `lab runs` shows them')
    .option('-f, --follow', 'keep printing new lines until the run ends', false)
    .option('--json', 'one JSON object per line: seq, level, message, loggedAt', false)
    .action((runId: string, options: { follow: boolean; json: boolean }) =>
      logsCommand(readConfig(), runId, options),
    );
}
