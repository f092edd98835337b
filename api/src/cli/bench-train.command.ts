import type { Command } from 'commander';
import { fail } from './fail.ts';
import { CPU_THREADS_HELP, integer } from './flags.ts';
import { readJobConfig } from './job-config.ts';

interface BenchTrainOptions {
  config: string;
  steps: number;
  peer?: boolean;
  json?: boolean;
  cpuThreads?: number;
  profile?: boolean;
}

const DEFAULT_CONFIG = 'models/demo/pretrain.json';

const percent = (ratio: number) => `${(100 * ratio).toFixed(0)}%`;

/**
 * `lab bench train`: training steps of a pretrain config's model (random weights and tokens) split
 * into forward, backward and optimizer, against the model's matmul rate in the same run.
 */
async function benchTrainCommand(options: BenchTrainOptions): Promise<void> {
  const { formatKernelProfile, pretrainConfigSchema, pretrainModelConfig, runTrainingBenchmark } =
    await import('@factorlab/gpu');
  const { withGpu } = await import('./with-gpu.ts');
  if (options.steps < 1) fail('--steps must be at least 1');
  const parsed = pretrainConfigSchema.safeParse(
    await readJobConfig({ config: options.config, set: [] }).catch((error: Error) =>
      fail(error.message),
    ),
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`--config ${options.config}: ${(issue?.path ?? []).join('.')}: ${issue?.message}`);
  }
  const { training, data } = parsed.data;
  // Random tokens need no tokenizer: the vocabulary size is the config's.
  const config = pretrainModelConfig(parsed.data, { vocabSize: data.vocabSize, endOfTextId: 0 });
  await withGpu(options.cpuThreads, async (gpu) => {
    const result = await runTrainingBenchmark(gpu, {
      config,
      batchSize: training.batchSize,
      sequenceLength: training.sequenceLength,
      steps: options.steps,
      peer: options.peer,
      profile: options.profile,
      onProgress: (stage) => process.stderr.write(`${stage}\n`),
    });
    if (options.json) {
      console.log(JSON.stringify(result));
      return;
    }
    const peer = result.peer;
    console.log(
      [
        `model: ${result.config.layers} layers, width ${result.config.hiddenSize}, FFN ${result.config.intermediateSize}, vocabulary ${result.config.vocabulary} (${(result.parameters / 1e6).toFixed(2)}M parameters)`,
        `batch: ${result.batchSize} x ${result.sequenceLength} tokens`,
        `step: ${result.stepMs.toFixed(0)} ms as the trainer runs it; phases awaited one by one: forward ${result.forwardMs.toFixed(0)}, backward ${result.backwardMs.toFixed(0)}, optimizer ${result.optimizerMs.toFixed(0)}`,
        `throughput: ${result.tokensPerS.toFixed(0)} tokens/s, ${result.modelGflops.toFixed(1)} model GFLOP/s`,
        `matmul: ${result.matmulGflops.toFixed(1)} GFLOP/s (median of the best of the model's products, timed after each step)`,
        `efficiency: ${percent(result.efficiency)} (median of each step's model rate over the matmul rate timed after it; ${result.pairs.map((pair) => percent(pair.efficiency)).join(', ')})`,
        peer === undefined
          ? ''
          : 'skipped' in peer
            ? `peer: skipped (${peer.skipped})`
            : `peer: PyTorch eager ${peer.tokensPerS.toFixed(0)} tokens/s on ${peer.threads} threads (${peer.blas ?? 'BLAS unknown'}); the lab is ${(result.tokensPerS / peer.tokensPerS).toFixed(2)}x`,
        ...(result.profile ? formatKernelProfile('profile', result.profile) : []),
      ]
        .filter(Boolean)
        .join('\n'),
    );
  });
}

/** `lab bench train`. */
export function registerBenchTrain(bench: Command): void {
  bench
    .command('train')
    .description(
      'time training steps (forward, backward, optimizer) against the matmul rate, optionally against PyTorch',
    )
    .option(
      '--config <file>',
      'pretrain config whose model and batch shape to time',
      DEFAULT_CONFIG,
    )
    .option('--steps <n>', 'timed steps after one warm-up step', integer, 5)
    .option('--peer', 'also train the same model in PyTorch eager, in the same run')
    .option(
      '--profile',
      'also time every kernel of one more step with GPU timestamps (needs timestamp-query)',
    )
    .option('--json', 'print one JSON object')
    .option('--cpu-threads <n>', CPU_THREADS_HELP, integer)
    .action(benchTrainCommand);
}
