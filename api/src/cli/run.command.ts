import type { Command } from 'commander';
import { ConsoleReporter } from './console-reporter.ts';
import { fail } from './fail.ts';
import { collect } from './flags.ts';
import { readJobConfig, type ConfigSources } from './job-config.ts';

/** `lab run KIND`: runs a job of the catalogue here, without the API or a database. */
export function runCommand(
  kind: string,
  options: ConfigSources & { json?: boolean },
): Promise<void> {
  return runJobHere(kind, options, new ConsoleReporter());
}

/** Runs a job of the catalogue here through `reporter`, printing its final metrics. */
export async function runJobHere(
  kind: string,
  options: ConfigSources & { json?: boolean },
  reporter: ConsoleReporter,
  /** What --json prints instead of the run's metrics, given its validated config. */
  jsonOf?: (config: unknown) => Promise<unknown>,
): Promise<void> {
  const { getJob, jobCatalogue, NoAdapterError } = await import('@factorlab/gpu');
  const job = getJob(kind);
  if (!job)
    fail(`unknown job kind "${kind}"; known kinds: ${Object.keys(jobCatalogue).join(', ')}`);
  const parsed = job.schema.safeParse(await readJobConfig(options));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`config.${(issue?.path ?? []).join('.')}: ${issue?.message ?? 'is invalid'}`);
  }
  try {
    const result = await job.run(parsed.data, reporter);
    reporter.finish();
    const metrics = { ...reporter.latest, ...result.summary };
    if (options.json && jsonOf) {
      console.log(JSON.stringify(await jsonOf(parsed.data)));
    } else if (options.json) {
      console.log(
        JSON.stringify({ kind, config: parsed.data, device: reporter.deviceInfo, metrics }),
      );
    } else {
      for (const [key, value] of Object.entries(metrics)) console.log(`${key} = ${value}`);
    }
  } catch (error) {
    if (!(error instanceof NoAdapterError)) throw error;
    const { EXIT_NO_ADAPTER } = await import('./serve.ts');
    fail(error.message, EXIT_NO_ADAPTER);
  }
}

/** `lab run KIND`. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a job here and now, without the API or a database (prints its metrics)')
    .argument('<kind>', 'job kind, e.g. selftest')
    .option('--config <file>', 'JSON file with the job config')
    .option('--set <key=value>', 'set one config value (repeatable)', collect, [])
    .option('--json', 'print one JSON object')
    .action(runCommand);
}
