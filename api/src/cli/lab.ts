import { Command } from 'commander';
import { registerBenchPlatform } from './bench-platform.command.ts';
import { registerBenchKernels } from './bench.command.ts';
import { registerBenchTrain } from './bench-train.command.ts';
import { registerExport } from './export.command.ts';
import { registerFactorize } from './factorize.command.ts';
import { errorMessage, fail } from './fail.ts';
import { registerGpu } from './gpu.command.ts';
import { registerBenchModel, registerModelCommands } from './inference.command.ts';
import { registerKeys } from './keys.command.ts';
import { registerLogs } from './logs.command.ts';
import { registerInitModel } from './model.command.ts';
import { registerPlot } from './plot.command.ts';
import { registerPretrain } from './pretrain.command.ts';
import { registerFinetune } from './finetune.command.ts';
import { registerPipeline } from './pipeline.command.ts';
import { registerSweep } from './sweep.command.ts';
import { registerDemo } from './demo.command.ts';
import { registerQueue } from './queue.command.ts';
import { registerRun } from './run.command.ts';
import { registerRuns } from './runs.command.ts';
import { registerSchema } from './schema.command.ts';
import { registerServerCommands } from './server.command.ts';
import { registerWatch } from './watch.command.ts';

/** The `lab` program: each command file registers its command, its flags and its handler. */
function buildProgram(): Command {
  const program = new Command('lab')
    .description('FactorLab: factorise dense Llama models into mixtures of experts, on WebGPU')
    .showHelpAfterError();

  registerServerCommands(program);
  registerGpu(program);

  // Positional: `lab bench kernels --json` gives --json to kernels, not to bench's own --json.
  program.enablePositionalOptions();
  const bench = program
    .command('bench')
    .enablePositionalOptions()
    .description(
      'measure speed on this machine: with --model, inference of a checkpoint (see also the ' +
        'kernels and platform subcommands)',
    );
  registerBenchModel(bench);
  registerBenchPlatform(bench);
  registerBenchKernels(bench);
  registerBenchTrain(bench);

  registerQueue(program);
  registerRun(program);
  registerPretrain(program);
  registerFactorize(program);
  registerFinetune(program);
  registerPipeline(program);
  registerSweep(program);
  registerDemo(program);
  registerPlot(program);
  registerExport(program);
  registerWatch(program);
  registerLogs(program);
  registerRuns(program);
  registerKeys(program);
  registerInitModel(program);
  registerModelCommands(program);
  registerSchema(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    fail(errorMessage(error));
  }
}
