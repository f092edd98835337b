import type { Command } from 'commander';
import { readConfig, type LabConfig } from '../config.ts';
import { integer } from './flags.ts';
import { callApi } from './api-client.ts';

interface RunRow {
  id: string;
  kind: string;
  status: string;
  queuedAt: string;
  metrics: { key: string; value: number }[];
}

export async function runsCommand(
  lab: LabConfig,
  options: { first: number; json?: boolean },
): Promise<void> {
  const { runs } = await callApi<{ runs: { totalCount: number; edges: { node: RunRow }[] } }>(
    lab,
    `query($first: Int!) { runs(first: $first) { totalCount
       edges { node { id kind status queuedAt metrics { key value } } } } }`,
    { first: options.first },
  );
  const rows = runs.edges.map((edge) => edge.node);
  if (options.json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`${rows.length} of ${runs.totalCount} runs, newest first`);
  for (const run of rows) {
    const figures = run.metrics.map((m) => `${m.key}=${Number(m.value.toPrecision(4))}`).join(' ');
    console.log(
      `${run.id}  ${run.kind.padEnd(10)} ${run.status.padEnd(9)} ${run.queuedAt}  ${figures}`,
    );
  }
}

/** `lab runs`. */
export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list recent runs')
    .option('--first <n>', 'how many', integer, 20)
    .option('--json', 'print JSON')
    .action((options: { first: number; json?: boolean }) => runsCommand(readConfig(), options));
}
