import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { registerTrainingCommand } from './training-command.ts';

/** `lab pipeline`: factorize -> finetune -> eval -> bench, run here; --json prints the report. */
export function registerPipeline(program: Command): void {
  registerTrainingCommand(program, {
    kind: 'pipeline',
    description:
      'factorise a dense model, fine-tune it (FactorLLM), evaluate it beside the router baselines and measure its speed; the report in <output>/report.json',
    configHelp: 'JSON file with the pipeline config (see examples/factorllm/)',
    metrics: ({ FINETUNE_METRICS, TRAINING_METRICS }) => [
      TRAINING_METRICS.trainLoss,
      FINETUNE_METRICS.routerAccuracy,
      TRAINING_METRICS.validationLoss,
    ],
    async jsonOf(config) {
      const { pipelineFolders } = await import('@factorlab/gpu');
      const { report } = pipelineFolders((config as { output: string }).output);
      return JSON.parse(await readFile(report, 'utf8')) as unknown;
    },
  });
}
