import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { readConfig, type LabConfig } from '../config.ts';
import { callApi } from './api-client.ts';
import { fail } from './fail.ts';

/** A sweep as queueSweep takes it (examples/factorllm/demo-sweep.json is one). */
export interface SweepFile {
  kind: string;
  name?: string;
  strategy?: 'GRID' | 'RANDOM';
  baseConfig: Record<string, unknown>;
  parameters: { path: string; values?: unknown[] }[];
  tags?: string[];
}

/** The config fields of a pipeline or job that name folders: made absolute for the workers. */
const PATH_FIELDS = ['model', 'output', 'teacher', 'student'];

/** `sweep` with its base config's relative paths resolved against `base`. */
export function withAbsolutePaths(sweep: SweepFile, base: string): SweepFile {
  const baseConfig = { ...sweep.baseConfig };
  for (const field of PATH_FIELDS) {
    const value = baseConfig[field];
    if (typeof value === 'string' && !path.isAbsolute(value))
      baseConfig[field] = path.resolve(base, value);
  }
  return { ...sweep, baseConfig };
}

export async function readSweepFile(file: string): Promise<SweepFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return fail(`--file ${file}: ${(error as Error).message}`);
  }
  const sweep = json as Partial<SweepFile>;
  if (typeof sweep.kind !== 'string' || !Array.isArray(sweep.parameters) || !sweep.baseConfig)
    fail(`--file ${file}: a sweep file needs kind, baseConfig and parameters`);
  return sweep as SweepFile;
}

/** Queues `sweep` and prints its id and runs. */
export async function queueSweepFile(lab: LabConfig, sweep: SweepFile): Promise<void> {
  const { queueSweep } = await callApi<{
    queueSweep: { sweep: { id: string; name: string }; runs: { id: string }[] };
  }>(
    lab,
    'mutation($input: QueueSweepInput!) { queueSweep(input: $input) { sweep { id name } runs { id } } }',
    { input: sweep },
  );
  console.log(
    `queued sweep "${queueSweep.sweep.name}" (${queueSweep.sweep.id}): ${queueSweep.runs.length} runs`,
  );
  for (const run of queueSweep.runs) console.log(`  run ${run.id}`);
}

/** `lab sweep --file FILE`: queue a sweep described in a JSON file. */
export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('queue a sweep (one run per point of a grid) described in a JSON file')
    .requiredOption('--file <file>', 'the sweep, e.g. examples/factorllm/demo-sweep.json')
    .action(async ({ file }: { file: string }) => {
      const sweep = await readSweepFile(file);
      await queueSweepFile(readConfig(), withAbsolutePaths(sweep, process.cwd()));
    });
}
