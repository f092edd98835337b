import type { Command } from 'commander';
import { factorizeConfigSchema } from '@factorlab/gpu/jobs/factorize-config';
import { flagIssue } from '@factorlab/gpu/jobs/config-flags';
import { fail } from './fail.ts';
import { readJobConfig } from './job-config.ts';
import { addConfigFlags } from './job-flags.ts';

interface FactorizeFlags {
  config?: string;
  json?: boolean;
  [field: string]: unknown;
}

/**
 * The job config: the --config file's fields, each overridden by a flag given on the command
 * line (flags left at their defaults do not override the file).
 */
async function factorizeConfig(flags: FactorizeFlags, command: Command) {
  const fromFile = flags.config ? await readJobConfig({ config: flags.config, set: [] }) : {};
  const given = Object.fromEntries(
    Object.keys(factorizeConfigSchema.shape).flatMap((key) =>
      command.getOptionValueSource(key) === 'cli' ? [[key, flags[key]]] : [],
    ),
  );
  const parsed = factorizeConfigSchema.safeParse({ ...fromFile, ...given });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  fail(key in given || !flags.config ? flagIssue(parsed.error) : `config.${key}: ${issue.message}`);
}

/** `lab factorize`: the factorize job run here, with a progress bar. */
export function registerFactorize(program: Command): void {
  const command = program
    .command('factorize')
    .description(
      'cut every FFN of a dense checkpoint into a mixture of experts and save it as a checkpoint folder',
    )
    .option('--config <file>', 'JSON file with the factorize config (flags override its fields)');
  addConfigFlags(command, factorizeConfigSchema)
    .option('--json', 'print one JSON object with the summary')
    .action(async (flags: FactorizeFlags) => {
      const config = await factorizeConfig(flags, command);
      const { factorizeJob, NoAdapterError } = await import('@factorlab/gpu');
      const { ConsoleReporter } = await import('./console-reporter.ts');
      const reporter = new ConsoleReporter({ progressBar: { metrics: [], everyStage: true } });
      try {
        const { summary } = await factorizeJob.run(config, reporter);
        reporter.finish();
        if (flags.json)
          console.log(
            JSON.stringify({ kind: 'factorize', config, device: reporter.deviceInfo, summary }),
          );
        else for (const [key, value] of Object.entries(summary)) console.log(`${key} = ${value}`);
      } catch (error) {
        if (!(error instanceof NoAdapterError)) throw error;
        const { EXIT_NO_ADAPTER } = await import('./serve.ts');
        fail(error.message, EXIT_NO_ADAPTER);
      }
    });
}
