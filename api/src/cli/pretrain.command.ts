import type { Command } from 'commander';
import { registerTrainingCommand } from './training-command.ts';

/** `lab pretrain`: the pretrain job run here. */
export function registerPretrain(program: Command): void {
  registerTrainingCommand(program, {
    kind: 'pretrain',
    description:
      'train a Llama from scratch on the Brown corpus (checkpoints to resume from, the model in <output>/model)',
    configHelp: 'JSON file with the pretrain config (see models/demo/README.md)',
    metrics: ({ TRAINING_METRICS }) => [
      TRAINING_METRICS.trainLoss,
      TRAINING_METRICS.validationLoss,
      TRAINING_METRICS.tokensPerS,
    ],
  });
}
