import type { Command } from 'commander';
import type * as GpuModule from '@factorlab/gpu';
import { fail } from './fail.ts';

interface TrainingOptions {
  config: string;
  resume?: string;
  json?: boolean;
}

export interface TrainingCommand {
  /** The command's name and the job kind it runs. */
  kind: 'pretrain' | 'finetune' | 'pipeline';
  description: string;
  configHelp: string;
  /** Metric keys the progress bar shows. */
  metrics: (keys: typeof GpuModule) => string[];
  /** What --json prints instead of the final metrics, given the validated config. */
  jsonOf?: (config: unknown) => Promise<unknown>;
}

/**
 * A long job run here (`lab pretrain`, `lab finetune`, `lab pipeline`) with a progress bar; `--resume`
 * continues from a checkpoint; Ctrl-C stops after the current step.
 */
export function registerTrainingCommand(program: Command, command: TrainingCommand): void {
  program
    .command(command.kind)
    .description(command.description)
    .requiredOption('--config <file>', command.configHelp)
    .option(
      '--resume <dir>',
      'continue from a checkpoint folder, or from the newest in an output folder',
    )
    .option('--json', 'print one JSON object with the final metrics')
    .action(async (options: TrainingOptions) => {
      // Loaded here, not with the program: every other command would pay for the engine.
      const gpuModule = await import('@factorlab/gpu');
      const { ConsoleReporter } = await import('./console-reporter.ts');
      const { runJobHere } = await import('./run.command.ts');
      const resumeFrom = options.resume
        ? await gpuModule
            .resolveTrainingCheckpoint(options.resume)
            .catch((error: Error) => fail(`--resume ${options.resume}: ${error.message}`))
        : null;
      const reporter = new ConsoleReporter({
        resumeFrom,
        progressBar: { metrics: command.metrics(gpuModule) },
      });
      const onInterrupt = () => {
        reporter.log('stopping after this step (Ctrl-C again to abort at once)');
        reporter.stop();
        process.once('SIGINT', () => process.exit(130));
      };
      process.once('SIGINT', onInterrupt);
      try {
        await runJobHere(
          command.kind,
          { config: options.config, set: [], json: options.json },
          reporter,
          command.jsonOf,
        );
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });
}
