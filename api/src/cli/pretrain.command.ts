import type { Command } from 'commander';
import { fail } from './fail.ts';

interface PretrainOptions {
  config: string;
  resume?: string;
  json?: boolean;
}

/** `lab pretrain`: the pretrain job run here, with a progress bar; Ctrl-C stops after the step. */
export function registerPretrain(program: Command): void {
  program
    .command('pretrain')
    .description(
      'train a Llama from scratch on the Brown corpus (checkpoints to resume from, the model in <output>/model)',
    )
    .requiredOption(
      '--config <file>',
      'JSON file with the pretrain config (see models/demo/README.md)',
    )
    .option(
      '--resume <dir>',
      'continue from a checkpoint folder, or from the newest in an output folder',
    )
    .option('--json', 'print one JSON object with the final metrics')
    .action(async (options: PretrainOptions) => {
      // Loaded here, not with the program: every other command would pay for the engine.
      const { resolveTrainingCheckpoint, TRAINING_METRICS } = await import('@factorlab/gpu');
      const { ConsoleReporter } = await import('./console-reporter.ts');
      const { runJobHere } = await import('./run.command.ts');
      const resumeFrom = options.resume
        ? await resolveTrainingCheckpoint(options.resume).catch((error: Error) =>
            fail(`--resume ${options.resume}: ${error.message}`),
          )
        : null;
      const reporter = new ConsoleReporter({
        resumeFrom,
        progressBar: {
          metrics: [
            TRAINING_METRICS.trainLoss,
            TRAINING_METRICS.validationLoss,
            TRAINING_METRICS.tokensPerS,
          ],
        },
      });
      const onInterrupt = () => {
        reporter.log('stopping after this step (Ctrl-C again to abort at once)');
        reporter.stop();
        process.once('SIGINT', () => process.exit(130));
      };
      process.once('SIGINT', onInterrupt);
      try {
        await runJobHere(
          'pretrain',
          { config: options.config, set: [], json: options.json },
          reporter,
        );
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });
}
