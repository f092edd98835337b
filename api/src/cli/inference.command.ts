import path from 'node:path';
import type { Command } from 'commander';
import type {
  DeviceInfo,
  FactorisationOptions,
  Gpu,
  KernelTarget,
  InferenceBenchConfig,
} from '@factorlab/gpu';
import {
  inferenceBenchConfigSchema,
  WEIGHT_PRECISION_HELP,
  WEIGHT_PRECISIONS,
} from '@factorlab/gpu/jobs/inference-bench-config';
import {
  DECODE_PROFILE_METRICS as PROFILE,
  DECODE_TRAFFIC_METRICS as TRAFFIC,
  WEIGHT_ROUNDING_METRICS as ROUNDING,
} from '@factorlab/gpu/metric-keys';
import { ConsoleReporter } from './console-reporter.ts';
import { fail } from './fail.ts';
import { CPU_THREADS_HELP, integer } from './flags.ts';
import { addConfigFlags, configFromFlags } from './job-flags.ts';

// The engine loads only when a command runs (about a second): `lab --help` and the commands that
// talk to the API never wait for it.
const engine = () => import('@factorlab/gpu');

async function withGpu<T>(cpuThreads: number | undefined, body: (gpu: Gpu) => Promise<T>) {
  const { withGpu: run } = await import('./with-gpu.ts');
  return run(cpuThreads, body);
}

const KERNELS_HELP =
  'kernel family: cpu (lavapipe) or gpu; by default the one that suits the adapter';

export interface FactorisationFlags {
  /** Kernel family to force: cpu or gpu. */
  kernels?: string;
  /** auto keeps F16/BF16 matrices half on the GPU; f32 widens them; f16 rounds f32 ones. */
  weights?: string;
  /** Load NaN and infinite weights with a warning instead of refusing the checkpoint. */
  keepNonFinite?: boolean;
  /** lavapipe's compute threads (FACTORLAB_CPU_THREADS); 1 runs kernels inline. */
  cpuThreads?: number;
  experts?: number;
  topK?: number;
  split?: string;
  seed?: number;
}

/** --experts/--top-k/--split as a factorisation, or none; invalid combinations end the command. */
async function factorisationFrom(
  flags: FactorisationFlags,
): Promise<FactorisationOptions | undefined> {
  if (flags.experts === undefined && flags.topK === undefined) return undefined;
  if (flags.experts === undefined || flags.topK === undefined)
    fail('--experts and --top-k go together: give both, or neither for the dense model');
  const { factorisationSchema } = await engine();
  const parsed = factorisationSchema.safeParse({
    experts: flags.experts,
    topK: flags.topK,
    split: flags.split,
    seed: flags.seed,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = { experts: '--experts', topK: '--top-k', split: '--split' }[
      String(issue.path[0]) as 'experts'
    ];
    fail(`${flag ?? '--experts'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The model's load options from the flags; a bad --kernels ends the command. */
function loadOptions(flags: FactorisationFlags, factorisation: FactorisationOptions | undefined) {
  const { kernels, weights = 'auto' } = flags;
  if (kernels !== undefined && kernels !== 'cpu' && kernels !== 'gpu')
    fail(`--kernels ${kernels}: must be cpu or gpu`);
  if (!(WEIGHT_PRECISIONS as readonly string[]).includes(weights))
    fail(`--weights ${weights}: must be ${WEIGHT_PRECISIONS.join(', ')}`);
  return {
    factorisation,
    kernelTarget: kernels as KernelTarget | undefined,
    weights: weights as InferenceBenchConfig['weights'],
    ...(flags.keepNonFinite && {
      keepNonFinite: (warning: string) => process.stderr.write(`warning: ${warning}\n`),
    }),
  };
}

function parseIds(list: string): number[] {
  const parts = list.split(',').map((part) => part.trim());
  // Number('') is 0: an empty item must not become token 0.
  const ids = parts.map((part) => (part === '' ? Number.NaN : Number(part)));
  if (!ids.every((id) => Number.isInteger(id) && id >= 0))
    fail(`--ids must be non-negative integers separated by commas, got "${list}"`);
  return ids;
}

export interface LogitsOptions extends FactorisationFlags {
  model: string;
  ids: string;
}

/** `lab logits`: float32 logits of every position, as one JSON object. */
async function logitsCommand(options: LogitsOptions): Promise<void> {
  const ids = parseIds(options.ids);
  const factorisation = await factorisationFrom(options);
  const { LlamaModel, packTokens } = await engine();
  await withGpu(options.cpuThreads, async (gpu) => {
    const model = await LlamaModel.open(gpu, options.model, loadOptions(options, factorisation));
    const vocabulary = model.config.vocab_size;
    const cache = model.createCache(1, ids.length);
    const logits = await model
      .forward(packTokens([{ slot: 0, start: 0, ids }]), cache, 'all')
      .read();
    const rows = ids.map((_, row) =>
      Array.from(logits.subarray(row * vocabulary, (row + 1) * vocabulary)),
    );
    process.stdout.write(`${JSON.stringify({ shape: [ids.length, vocabulary], logits: rows })}\n`);
  });
}

export interface GenerateCommandOptions extends FactorisationFlags {
  model: string;
  prompt: string;
  maxNewTokens: number;
  temperature: number;
  topP: number;
}

/**
 * Why `lab generate` printed no text, when it did not: otherwise the user sees an empty line.
 */
export function emptyGenerationHint(printed: string, generated: number): string | null {
  if (printed.trim() !== '') return null;
  if (generated === 0) {
    return 'no text: the model ended at once with an end-of-sequence token; try another --seed or --temperature';
  }
  return (
    `no text: the ${generated} tokens decode to nothing visible (special, unused or whitespace ` +
    'tokens), as an untrained model such as one from `lab init-model` emits; try a trained ' +
    'checkpoint, e.g. --model models/demo'
  );
}

/** `lab generate`: the prompt's continuation, streamed to stdout as it is decoded. */
async function generateCommand(options: GenerateCommandOptions): Promise<void> {
  if (options.maxNewTokens < 1) fail('--max-new-tokens must be at least 1');
  const factorisation = await factorisationFrom(options);
  const { generate, LlamaModel, ModelTokenizer } = await engine();
  await withGpu(options.cpuThreads, async (gpu) => {
    const model = await LlamaModel.open(gpu, options.model, loadOptions(options, factorisation));
    const tokenizer = await ModelTokenizer.open(options.model, model.config);
    const prompt = tokenizer.encode(options.prompt);
    if (prompt.length === 0) fail('--prompt encodes to no tokens; give some text');
    const produced: number[] = [];
    let printed = '';
    const { tokens } = await generate(model, [prompt], {
      maxNewTokens: options.maxNewTokens,
      temperature: options.temperature,
      topP: options.topP,
      seed: options.seed,
      stopTokenIds: tokenizer.eosTokenIds,
      onStep: (_, next) => {
        if (next[0] === undefined) return;
        produced.push(next[0]);
        // Decoding the whole continuation keeps multi-byte characters split across tokens intact.
        const text = tokenizer.decode(produced, { skipSpecialTokens: true });
        if (text.startsWith(printed)) process.stdout.write(text.slice(printed.length));
        printed = text;
      },
    });
    process.stdout.write('\n');
    process.stderr.write(`${tokens[0]!.length} tokens generated\n`);
    const hint = emptyGenerationHint(printed, tokens[0]!.length);
    if (hint !== null) process.stderr.write(`${hint}\n`);
  });
}

/** `lab bench --model`'s flags: the inference-bench job's config, and how to run it here. */
interface BenchModelFlags extends Partial<Record<keyof InferenceBenchConfig, unknown>> {
  /** lavapipe's compute threads (FACTORLAB_CPU_THREADS); 1 runs kernels inline. */
  cpuThreads?: number;
  json?: boolean;
  /** Also time PyTorch eager on the same checkpoint and shape, when python3 has torch. */
  peer?: boolean;
}

/**
 * `lab bench --model`: runs the inference-bench job here (prefill and decode speed; for a
 * factorised model, against dense) and prints its figures, with --json as one object.
 */
async function benchModelCommand(flags: BenchModelFlags): Promise<void> {
  const config = configFromFlags(inferenceBenchConfigSchema, flags);
  const { setCpuThreads } = await import('./with-gpu.ts');
  setCpuThreads(flags.cpuThreads);
  const { inferenceBenchJob, NoAdapterError } = await engine();
  const reporter = new ConsoleReporter();
  let summary: Record<string, number>;
  try {
    ({ summary } = await inferenceBenchJob.run(config, reporter));
  } catch (error) {
    if (!(error instanceof NoAdapterError)) throw error;
    const { EXIT_NO_ADAPTER } = await import('./serve.ts');
    fail(error.message, EXIT_NO_ADAPTER);
  }
  const result = benchResult(config, reporter, summary);
  if (flags.peer) {
    process.stderr.write('PyTorch eager peer: same checkpoint, same shape\n');
    Object.assign(result, await measurePeer(config));
  }
  process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatBench(result));
}

/** The job's report as the command prints it: its benchmark row, device and summary metrics. */
function benchResult(
  config: InferenceBenchConfig,
  reporter: ConsoleReporter,
  summary: Record<string, number>,
): Record<string, unknown> {
  const row = reporter.benchmarks.at(-1);
  if (!row) throw new Error('the inference-bench job reported no benchmark row');
  return {
    model: config.model,
    adapter: reporter.deviceInfo,
    promptLen: config.promptLen,
    genLen: config.genLen,
    batch: config.batch,
    prefillTokS: row.prefillTokS,
    decodeTokS: row.decodeTokS,
    decodeStepMsP50: row.decodeLatencyMs?.p50,
    decodeStepMsP95: row.decodeLatencyMs?.p95,
    denseDecodeTokS: row.denseDecodeTokS,
    densePrefillTokS: summary.dense_prefill_tok_s,
    speedup: summary.speedup ?? 1,
    bound: row.bound ?? 1,
    ffnShare: summary.ffn_share,
    ...(row.experts !== undefined && {
      experts: row.experts,
      topK: row.topK,
      split: row.split,
      prefillSpeedup: summary.prefill_speedup,
    }),
    ...(summary[ROUNDING.maxAbs] !== undefined && {
      f16Error: {
        maxAbs: summary[ROUNDING.maxAbs],
        relativeRms: summary[ROUNDING.relativeRms],
        top1Agreement: summary[ROUNDING.top1Agreement],
      },
    }),
    ...(summary[PROFILE.gpuMs] !== undefined && {
      decodeGpuMs: summary[PROFILE.gpuMs],
      denseDecodeGpuMs: summary[PROFILE.denseGpuMs],
    }),
    stepBytes: summary[TRAFFIC.stepBytes],
    denseStepBytes: summary[TRAFFIC.denseStepBytes],
    decodeGbS: summary[TRAFFIC.decodeGbS],
    denseDecodeGbS: summary[TRAFFIC.denseDecodeGbS],
    ...(summary[TRAFFIC.readGbS] !== undefined && {
      readGbS: summary[TRAFFIC.readGbS],
      readGbSOneThread: summary[TRAFFIC.readGbSOneThread],
      bandwidthShare: summary[TRAFFIC.bandwidthShare],
      denseBandwidthShare: summary[TRAFFIC.denseBandwidthShare],
      decodeLimitTokS: summary[TRAFFIC.decodeLimitTokS],
      denseDecodeLimitTokS: summary[TRAFFIC.denseDecodeLimitTokS],
    }),
  };
}

/** Decode's memory traffic and, on a CPU adapter, how close it comes to the host's limit. */
function trafficLines(result: Record<string, unknown>): string[] {
  const value = (key: string) => result[key] as number;
  const megabytes = (key: string) => `${(value(key) / 1e6).toFixed(1)} MB`;
  const percent = (share: number) => `${(share * 100).toFixed(0)}%`;
  const factorised = result.experts !== undefined;
  const lines = [
    `traffic: a decode step reads ${megabytes('stepBytes')}` +
      (factorised ? ` (dense ${megabytes('denseStepBytes')})` : '') +
      `; decode streams ${value('decodeGbS').toFixed(2)} GB/s` +
      (factorised ? ` (dense ${value('denseDecodeGbS').toFixed(2)} GB/s)` : ''),
  ];
  if (result.readGbS !== undefined)
    lines.push(
      `host read bandwidth ${value('readGbS').toFixed(2)} GB/s ` +
        `(${value('readGbSOneThread').toFixed(2)} on one thread): decode at ${percent(value('bandwidthShare'))} of it, ` +
        `limit ${value('decodeLimitTokS').toFixed(1)} tokens/s` +
        (factorised
          ? `; dense at ${percent(value('denseBandwidthShare'))}, limit ${value('denseDecodeLimitTokS').toFixed(1)}`
          : ''),
    );
  return lines;
}

/** The peer's figures and the lab's ratios to them (above 1: the lab is faster). */
async function measurePeer(config: InferenceBenchConfig): Promise<Record<string, unknown>> {
  if (config.experts !== undefined && config.split !== 'sequential')
    return {
      peer: { skipped: 'the PyTorch peer splits sequentially only; use --split sequential' },
    };
  const { runTorchPeer, readModelConfig, readMoeConfig, decodeTraffic, achievedGbS } =
    await engine();
  const modelConfig = await readModelConfig(path.join(config.model, 'config.json'));
  if (readMoeConfig(modelConfig))
    return { peer: { skipped: 'the PyTorch peer does not load saved mixtures of experts' } };
  const peer = await runTorchPeer({
    model: config.model,
    factorised:
      config.experts !== undefined && config.topK !== undefined
        ? { experts: config.experts, topK: config.topK }
        : undefined,
    promptLen: config.promptLen,
    genLen: config.genLen,
    batch: config.batch,
  });
  if ('skipped' in peer) return { peer };
  // The peer widens every weight to f32.
  const { stepBytes } = decodeTraffic(modelConfig, {
    matrixElementBytes: 4,
    batch: config.batch,
    promptLength: config.promptLen,
    generateLength: config.genLen,
    ...(config.experts !== undefined &&
      config.topK !== undefined && {
        experts: { count: config.experts, activeShare: config.topK / config.experts },
      }),
  });
  return {
    peer: { ...peer, stepBytes, decodeGbS: achievedGbS(stepBytes, peer.decodeTokS, config.batch) },
  };
}

/** The BLAS the peer ran on and the weight layout it chose, with the trial that chose it. */
function peerForm(peer: Record<string, unknown>): string {
  const blas =
    typeof peer.blas === 'string' ? path.basename(path.dirname(peer.blas)) : 'its own BLAS';
  const trial = peer.layoutTrialDecodeTokS as Record<string, number> | undefined;
  const trialText = trial
    ? ` (trial decode: linear ${trial.linear!.toFixed(1)}, transposed ${trial.transposed!.toFixed(1)} tokens/s)`
    : '';
  return `${blas}, ${String(peer.layout)} layout${trialText}`;
}

function formatBench(result: Record<string, unknown>): string {
  const number = (key: string, digits = 1) => (result[key] as number).toFixed(digits);
  const adapter = result.adapter as DeviceInfo;
  const threads =
    adapter.cpuThreads === undefined
      ? ''
      : `, ${adapter.cpuThreads} thread${adapter.cpuThreads === 1 ? '' : 's'}`;
  const lines = [
    `adapter: ${adapter.description} (${adapter.backend}${threads})`,
    `prefill: ${number('prefillTokS')} tokens/s`,
    `decode:  ${number('decodeTokS')} tokens/s, step p50 ${number('decodeStepMsP50', 2)} ms, p95 ${number('decodeStepMsP95', 2)} ms`,
  ];
  if (result.experts !== undefined) {
    lines.push(
      `dense decode: ${number('denseDecodeTokS')} tokens/s, prefill ${number('densePrefillTokS')} tokens/s`,
      `speedup: ${number('speedup', 2)}x decode, ${number('prefillSpeedup', 2)}x prefill; ` +
        `bound 1 / (1 - phi + phi k/N) = ${number('bound', 2)}x (phi ${number('ffnShare', 3)})`,
    );
  }
  lines.push(...trafficLines(result));
  const f16 = result.f16Error as Record<string, number> | undefined;
  if (f16)
    lines.push(
      `weights f16: logits move from f32's by at most ${f16.maxAbs!.toPrecision(3)} ` +
        `(relative RMS ${f16.relativeRms!.toPrecision(3)}), same top token at ` +
        `${(f16.top1Agreement! * 100).toFixed(1)}% of positions`,
    );
  const peer = result.peer as
    (Record<string, number> & { skipped?: string; torch?: string }) | undefined;
  if (peer?.skipped !== undefined) lines.push(`PyTorch peer: skipped (${peer.skipped})`);
  else if (peer) {
    const ratio = (lab: string, theirs: string) =>
      `${((result[lab] as number) / peer[theirs]!).toFixed(2)}x`;
    const peerGbS = peer.decodeGbS!;
    const peerShare =
      result.readGbS === undefined
        ? ''
        : `, ${((peerGbS / (result.readGbS as number)) * 100).toFixed(0)}% of the host's read bandwidth`;
    lines.push(
      `PyTorch ${peer.torch} eager (${peer.threads} threads, ${peerForm(peer)}): prefill ${peer.prefillTokS!.toFixed(1)} ` +
        `tokens/s, decode ${peer.decodeTokS!.toFixed(1)} tokens/s (${peerGbS.toFixed(2)} GB/s${peerShare})`,
      `lab / PyTorch: prefill ${ratio('prefillTokS', 'prefillTokS')}, decode ${ratio('decodeTokS', 'decodeTokS')}`,
    );
    if (peer.denseDecodeTokS !== undefined)
      lines.push(
        `PyTorch dense decode ${peer.denseDecodeTokS.toFixed(1)} tokens/s, speedup ${peer.speedup!.toFixed(2)}x; ` +
          `lab / PyTorch dense decode ${ratio('denseDecodeTokS', 'denseDecodeTokS')}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** --experts/--top-k/--split and how to run the model, for the commands that load one. */
function withModelFlags(command: Command): Command {
  return command
    .option('--experts <n>', 'factorise every FFN into n experts (untrained router)', integer)
    .option('--top-k <k>', 'experts each token runs (with --experts)', integer)
    .option('--split <strategy>', 'sequential, random or kmeans', 'sequential')
    .option('--seed <n>', 'seed of the split and the router', integer, 0)
    .option('--kernels <family>', KERNELS_HELP)
    .option('--weights <precision>', WEIGHT_PRECISION_HELP)
    .option(
      '--keep-non-finite',
      'load NaN or infinite weights with a warning naming each tensor, instead of refusing them',
    )
    .option('--cpu-threads <n>', CPU_THREADS_HELP, integer);
}

/** `lab logits` and `lab generate`. */
export function registerModelCommands(program: Command): void {
  withModelFlags(
    program
      .command('logits')
      .description(
        'print float32 logits of every position as JSON {"shape": [T, V], "logits": [...]}',
      )
      .requiredOption('--model <dir>', 'checkpoint folder (Hugging Face layout)')
      .requiredOption('--ids <list>', 'token ids, comma-separated'),
  ).action(logitsCommand);

  withModelFlags(
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
  ).action(generateCommand);
}

/**
 * `lab bench --model`: the inference-bench job's config as flags (derived from its schema), and
 * the options of running it here. Without --model, `lab bench` prints its help.
 */
export function registerBenchModel(bench: Command): void {
  addConfigFlags(bench, inferenceBenchConfigSchema)
    .option('--cpu-threads <n>', CPU_THREADS_HELP, integer)
    .option('--peer', 'also time PyTorch eager on the same checkpoint (python3 with torch)')
    .option('--json', 'print one JSON object')
    .action(async (flags: BenchModelFlags) => {
      if (flags.model === undefined) bench.help({ error: true });
      await benchModelCommand(flags);
    });
}
