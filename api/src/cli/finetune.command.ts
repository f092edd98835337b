import type { Command } from 'commander';
import { registerTrainingCommand } from './training-command.ts';

/** `lab finetune`: the finetune job run here. */
export function registerFinetune(program: Command): void {
  registerTrainingCommand(program, {
    kind: 'finetune',
    description:
      'train a factorised model against its dense teacher (FactorLLM: PA prior, balance, distillation); the student in <output>/model',
    configHelp: 'JSON file with the finetune config (see examples/factorllm/)',
    metrics: ({ FINETUNE_METRICS, TRAINING_METRICS }) => [
      TRAINING_METRICS.trainLoss,
      FINETUNE_METRICS.routerAccuracy,
      TRAINING_METRICS.validationLoss,
    ],
  });
}
