import { Command, InvalidArgumentError } from 'commander';
import { readConfig } from '../config.ts';
import type { BenchKernelsOptions } from './bench.command.ts';
import type { ExportOptions } from './export.command.ts';
import type {
  BenchModelOptions,
  GenerateCommandOptions,
  LogitsOptions,
} from './inference.command.ts';
import { errorMessage, fail } from './fail.ts';

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError('not an integer');
  return parsed;
}

const KERNELS_HELP =
  'kernel family: cpu (lavapipe) or gpu; by default the one that suits the adapter';

const CPU_THREADS_HELP =
  'lavapipe only: threads its kernels run on (default one per core; 1 runs them inline, which ' +
  'decodes faster where waking threads is slow, e.g. in VMs)';

const WEIGHTS_HELP =
  'auto (default) keeps F16/BF16 matrices in f16 on the GPU where it computes f16; f32 widens them';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(): Command {
  const program = new Command('lab')
    .description('FactorLab: factorise dense Llama models into mixtures of experts, on WebGPU')
    .showHelpAfterError();

  program
    .command('start')
    .description('run the lab: database (embedded unless DATABASE_URL), API, one worker, dashboard')
    .option('--no-worker', 'do not start a worker on this machine')
    .option('--no-web', 'do not start the dashboard')
    .action(async (options: { worker: boolean; web: boolean }) => {
      const { startLab } = await import('./start.ts');
      await startLab(readConfig(), options);
    });

  program
    .command('api')
    .description('serve the GraphQL API only (DATABASE_URL required)')
    .action(async () => {
      const { serveApi } = await import('./serve.ts');
      await serveApi(readConfig());
    });

  program
    .command('worker')
    .description("execute queued runs on this machine's GPU (DATABASE_URL required)")
    .action(async () => {
      const { serveWorker } = await import('./serve.ts');
      await serveWorker(readConfig());
    });

  program
    .command('web')
    .description('serve the dashboard only, against the API at FACTORLAB_API_URL')
    .action(async () => {
      const { serveWeb } = await import('./serve.ts');
      serveWeb(readConfig());
    });

  program
    .command('migrate')
    .description('bring the database at DATABASE_URL to the current schema')
    .action(async () => {
      const { migrateOnly } = await import('./serve.ts');
      await migrateOnly(readConfig());
    });

  program
    .command('gpu')
    .description("print this machine's WebGPU adapter, or why there is none")
    .action(async () => {
      const { gpuCommand } = await import('./gpu.command.ts');
      await gpuCommand();
    });

  // Positional: `lab bench kernels --json` gives --json to kernels, not to bench's own --json.
  program.enablePositionalOptions();
  const bench = program
    .command('bench')
    .enablePositionalOptions()
    .description(
      'measure speed on this machine: with --model, inference of a checkpoint (see also the ' +
        'kernels and platform subcommands)',
    )
    .option('--model <dir>', 'checkpoint folder (Hugging Face layout) to benchmark')
    .option('--experts <n>', 'also run it factorised into n experts per FFN', integer)
    .option('--top-k <k>', 'experts each token runs', integer)
    .option('--split <strategy>', 'sequential, random or kmeans', 'sequential')
    .option('--prompt-len <n>', 'prompt tokens per sequence', integer, 128)
    .option('--gen-len <n>', 'generated tokens per sequence', integer, 64)
    .option('--batch <n>', 'sequences decoded together', integer, 1)
    .option('--repeats <n>', 'timed generations (figures are medians)', integer, 3)
    .option('--kernels <family>', KERNELS_HELP)
    .option('--weights <precision>', WEIGHTS_HELP)
    .option('--cpu-threads <n>', CPU_THREADS_HELP, integer)
    .option('--peer', 'also time PyTorch eager on the same checkpoint (python3 with torch)')
    .option('--json', 'print one JSON object')
    .action(async (options: BenchModelOptions & { model?: string }) => {
      if (!options.model) {
        bench.help({ error: true });
      }
      const { benchModelCommand } = await import('./inference.command.ts');
      await benchModelCommand(options as BenchModelOptions);
    });
  bench
    .command('platform')
    .description(
      'runs page latency over many runs and metric ingestion rate (DATABASE_URL or embedded)',
    )
    .option('--runs <n>', 'runs to seed', integer, 10_000)
    .option('--metrics <n>', 'summary metrics per run', integer, 20)
    .option('--requests <n>', 'runs pages to time', integer, 200)
    .option('--json', 'print one JSON object')
    .action(
      async (options: { runs: number; metrics: number; requests: number; json?: boolean }) => {
        const { benchPlatformCommand } = await import('./bench-platform.command.ts');
        await benchPlatformCommand(options);
      },
    );
  bench
    .command('kernels')
    .description("time the engine's kernels against the adapter's FMA ceiling and numpy's sgemm")
    .option('--json', 'print one JSON object')
    .option('--sizes <list>', 'square matmul sizes, comma-separated', '256,512,1024')
    .option('--repeats <n>', 'matmuls per timed trial', integer, 10)
    .option(
      '--matmul-kernels <which>',
      'chosen (the kernel the engine picks) or all (every kernel; the default on GPUs)',
    )
    .option('--cpu-threads <n>', CPU_THREADS_HELP, integer)
    .action(async (options: BenchKernelsOptions) => {
      const { benchKernelsCommand } = await import('./bench.command.ts');
      await benchKernelsCommand(options);
    });

  program
    .command('queue')
    .description('queue a run of a job kind through the API')
    .argument('<kind>', 'job kind, e.g. selftest')
    .option('--config <file>', 'JSON file with the job config')
    .option('--set <key=value>', 'set one config value (repeatable)', collect, [])
    .option('--name <name>', 'experiment name')
    .option('--priority <n>', 'from -100 to 100; higher runs sooner', integer, 0)
    .option('--tag <tag>', 'tag the experiment (repeatable)', collect, [])
    .option('--wait', 'wait until the run finishes and print its metrics')
    .action(async (kind: string, options) => {
      const { queueCommand } = await import('./queue.command.ts');
      await queueCommand(readConfig(), kind, options);
    });

  program
    .command('run')
    .description('run a job here and now, without the API or a database (prints its metrics)')
    .argument('<kind>', 'job kind, e.g. selftest')
    .option('--config <file>', 'JSON file with the job config')
    .option('--set <key=value>', 'set one config value (repeatable)', collect, [])
    .option('--json', 'print one JSON object')
    .action(async (kind: string, options) => {
      const { runCommand } = await import('./run.command.ts');
      await runCommand(kind, options);
    });

  program
    .command('export')
    .description('export runs with their config and metrics as CSV or JSON')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--status <list>', 'only these statuses, comma-separated')
    .option('--kind <list>', 'only these job kinds')
    .option('--tags <list>', 'only runs with all these tags')
    .option('--metrics <list>', 'metric keys to add as columns')
    .option('--limit <n>', 'at most this many runs (up to 50,000)')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (options: ExportOptions) => {
      const { exportCommand } = await import('./export.command.ts');
      await exportCommand(readConfig(), options);
    });

  program
    .command('watch')
    .description('follow a run live until it ends (exit code 0 if it succeeded)')
    .argument('<run>', 'the run id')
    .action(async (runId: string) => {
      const { watchCommand } = await import('./watch.command.ts');
      await watchCommand(readConfig(), runId);
    });

  program
    .command('runs')
    .description('list recent runs')
    .option('--first <n>', 'how many', integer, 20)
    .option('--json', 'print JSON')
    .action(async (options: { first: number; json?: boolean }) => {
      const { runsCommand } = await import('./runs.command.ts');
      await runsCommand(readConfig(), options);
    });

  const keys = program.command('keys').description('API keys (DATABASE_URL required)');
  keys
    .command('create')
    .description('create an API key and print it once')
    .requiredOption('--role <role>', 'viewer (read), editor (read and queue) or admin')
    .option('--name <name>', 'who or what the key is for', 'unnamed')
    .action(async (options: { role: string; name: string }) => {
      const { createKeyCommand } = await import('./keys.command.ts');
      await createKeyCommand(readConfig(), options);
    });
  keys
    .command('revoke')
    .description('revoke the key with this prefix')
    .argument('<prefix>', 'the prefix `keys create` printed')
    .action(async (prefix: string) => {
      const { revokeKeyCommand } = await import('./keys.command.ts');
      await revokeKeyCommand(readConfig(), prefix);
    });

  program
    .command('init-model')
    .description('write a randomly initialised checkpoint of a config.json, in Hugging Face layout')
    .requiredOption('--config <file>', 'a Llama, Mistral or Qwen2 config.json')
    .requiredOption('--out <dir>', 'a new or empty folder to write the checkpoint into')
    .option('--seed <n>', 'random seed', integer, 1)
    .option('--dtype <dtype>', 'f32, f16 or bf16', 'f32')
    .action(async (options: { config: string; out: string; seed: number; dtype: string }) => {
      const { initModelCommand } = await import('./model.command.ts');
      await initModelCommand(options);
    });

  const factorisationOptions = (command: Command) =>
    command
      .option('--experts <n>', 'factorise every FFN into n experts (untrained router)', integer)
      .option('--top-k <k>', 'experts each token runs (with --experts)', integer)
      .option('--split <strategy>', 'sequential, random or kmeans', 'sequential')
      .option('--seed <n>', 'seed of the split and the router', integer, 0)
      .option('--kernels <family>', KERNELS_HELP)
      .option('--weights <precision>', WEIGHTS_HELP)
      .option('--cpu-threads <n>', CPU_THREADS_HELP, integer);

  factorisationOptions(
    program
      .command('logits')
      .description(
        'print float32 logits of every position as JSON {"shape": [T, V], "logits": [...]}',
      )
      .requiredOption('--model <dir>', 'checkpoint folder (Hugging Face layout)')
      .requiredOption('--ids <list>', 'token ids, comma-separated'),
  ).action(async (options: LogitsOptions) => {
    const { logitsCommand } = await import('./inference.command.ts');
    await logitsCommand(options);
  });

  factorisationOptions(
    program
      .command('generate')
      .description("continue a prompt with the checkpoint's tokenizer, printing text as it comes")
      .requiredOption(
        '--model <dir>',
        'checkpoint folder (Hugging Face layout, with tokenizer.json)',
      )
      .requiredOption('--prompt <text>', 'text to continue')
      .option('--max-new-tokens <n>', 'tokens to generate at most', integer, 64)
      .option('--temperature <t>', '0 is greedy; otherwise logits are divided by t', Number, 0)
      .option('--top-p <p>', 'nucleus sampling mass, in (0, 1]', Number, 1),
  ).action(async (options: GenerateCommandOptions) => {
    const { generateCommand } = await import('./inference.command.ts');
    await generateCommand(options);
  });

  program
    .command('schema')
    .description("print the API's GraphQL schema (SDL)")
    .option('--out <file>', 'write it to a file instead')
    .action(async (options: { out?: string }) => {
      const { schemaCommand } = await import('./schema.command.ts');
      await schemaCommand(options);
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    fail(errorMessage(error));
  }
}
