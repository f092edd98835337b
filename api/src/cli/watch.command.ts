import { createClient } from 'graphql-ws/client';
import WebSocket from 'ws';
import type { Command } from 'commander';
import { readConfig, type LabConfig } from '../config.ts';
import { authHeaders, unreachableApi } from './api-client.ts';
import { subscriptionError } from './graphql-error-message.ts';
import { resolveRunId } from './run-id.ts';

interface WatchedRun {
  id: string;
  status: string;
  progress: number;
  error: string | null;
  metrics: { key: string; value: number }[];
}

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
const BAR_WIDTH = 30;

function progressBar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

function describe(run: WatchedRun): string {
  const metrics = run.metrics.map((m) => `${m.key}=${Number(m.value.toPrecision(4))}`).join(' ');
  return `${run.status.padEnd(9)} ${progressBar(run.progress)} ${metrics}`;
}

/**
 * `lab watch RUN`: follows a run live over the API's subscription until it ends; exits 0 when it
 * succeeded, 1 otherwise.
 */
export async function watchCommand(lab: LabConfig, typedId: string): Promise<void> {
  const runId = await resolveRunId(lab, typedId);
  const client = createClient({
    url: `${lab.apiUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: authHeaders(lab),
  });
  const interactive = process.stdout.isTTY === true;
  try {
    const finished = await new Promise<WatchedRun>((resolve, reject) => {
      let last: WatchedRun | null = null;
      client.subscribe<{ runUpdated: WatchedRun }>(
        {
          query: `subscription($id: ID!) {
            runUpdated(id: $id) { id status progress error metrics { key value } } }`,
          variables: { id: runId },
        },
        {
          next: ({ data, errors }) => {
            if (errors?.length) return reject(new Error(errors.map((e) => e.message).join('; ')));
            if (!data) return;
            last = data.runUpdated;
            const line = describe(last);
            process.stdout.write(interactive ? `\r\u001b[2K${line}` : `${line}\n`);
            if (FINISHED.has(last.status)) resolve(last);
          },
          error: (error) => reject(subscriptionError(error, () => unreachableApi(lab.apiUrl))),
          complete: () => (last ? resolve(last) : reject(new Error('the API ended the watch'))),
        },
      );
    });
    if (interactive) process.stdout.write('\n');
    if (finished.error) console.log(`error: ${finished.error}`);
    if (finished.status !== 'SUCCEEDED') process.exitCode = 1;
  } finally {
    await client.dispose();
  }
}

/** `lab watch RUN`. */
export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('follow a run live until it ends (exit code 0 if it succeeded)')
    .argument('<run>', 'the run id, or its first digits as `lab runs` shows them')
    .action((runId: string) => watchCommand(readConfig(), runId));
}
