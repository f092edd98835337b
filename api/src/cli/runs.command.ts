import type { Command } from 'commander';
import { readConfig, type LabConfig } from '../config.ts';
import { integer } from './flags.ts';
import { callApi } from './api-client.ts';
import { formatRunsTable, type ListedRun } from './runs-table.ts';

export async function runsCommand(
  lab: LabConfig,
  options: { first: number; json?: boolean },
): Promise<void> {
  const { runs } = await callApi<{ runs: { totalCount: number; edges: { node: ListedRun }[] } }>(
    lab,
    `query($first: Int!) { runs(first: $first) { totalCount
       edges { node { id kind status queuedAt error metrics { key value } } } } }`,
    { first: options.first },
  );
  const rows = runs.edges.map((edge) => edge.node);
  if (options.json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  console.log(`${rows.length} of ${runs.totalCount} runs, newest first`);
  for (const line of formatRunsTable(rows)) console.log(line);
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
