import {
  compareWithDense,
  factorisationSchema,
  feedForwardShare,
  generate,
  LlamaModel,
  measureCheckpoint,
  ModelTokenizer,
  packTokens,
  runTorchPeer,
  type DeviceInfo,
  type FactorisationOptions,
  type Gpu,
  type KernelTarget,
} from '@factorlab/gpu';
import { fail } from './fail.ts';
import { withGpu } from './with-gpu.ts';

export interface FactorisationFlags {
  /** Kernel family to force: cpu or gpu. */
  kernels?: string;
  /** auto keeps F16/BF16 matrices half on the GPU; f32 widens them. */
  weights?: string;
  /** lavapipe's compute threads (FACTORLAB_CPU_THREADS); 1 runs kernels inline. */
  cpuThreads?: number;
  experts?: number;
  topK?: number;
  split?: string;
  seed?: number;
}

/** --experts/--top-k/--split as a factorisation, or none; invalid combinations end the command. */
export function factorisationFrom(flags: FactorisationFlags): FactorisationOptions | undefined {
  if (flags.experts === undefined && flags.topK === undefined) return undefined;
  if (flags.experts === undefined || flags.topK === undefined)
    fail('--experts and --top-k go together: give both, or neither for the dense model');
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
  if (weights !== 'auto' && weights !== 'f32') fail(`--weights ${weights}: must be auto or f32`);
  return {
    factorisation,
    kernelTarget: kernels as KernelTarget | undefined,
    weights: weights as 'auto' | 'f32',
  };
}

function parseIds(list: string): number[] {
  const ids = list.split(',').map((part) => Number(part.trim()));
  if (list.trim() === '' || !ids.every((id) => Number.isInteger(id) && id >= 0))
    fail(`--ids must be non-negative integers separated by commas, got "${list}"`);
  return ids;
}

export interface LogitsOptions extends FactorisationFlags {
  model: string;
  ids: string;
}

/** `lab logits`: float32 logits of every position, as one JSON object. */
export async function logitsCommand(options: LogitsOptions): Promise<void> {
  const ids = parseIds(options.ids);
  const factorisation = factorisationFrom(options);
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

/** `lab generate`: the prompt's continuation, streamed to stdout as it is decoded. */
export async function generateCommand(options: GenerateCommandOptions): Promise<void> {
  if (options.maxNewTokens < 1) fail('--max-new-tokens must be at least 1');
  const factorisation = factorisationFrom(options);
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
  });
}

export interface BenchModelOptions extends FactorisationFlags {
  model: string;
  promptLen: number;
  genLen: number;
  batch: number;
  repeats: number;
  json?: boolean;
  /** Also time PyTorch eager on the same checkpoint and shape, when python3 has torch. */
  peer?: boolean;
}

function measureModel(
  gpu: Gpu,
  directory: string,
  factorisation: FactorisationOptions | undefined,
  options: BenchModelOptions,
) {
  return measureCheckpoint(gpu, directory, loadOptions(options, factorisation), {
    promptLength: options.promptLen,
    generateLength: options.genLen,
    batch: options.batch,
    repeats: options.repeats,
  });
}

/** `lab bench --model`: prefill and decode speed; for a factorised model, against dense. */
export async function benchModelCommand(options: BenchModelOptions): Promise<void> {
  for (const [flag, value] of [
    ['--prompt-len', options.promptLen],
    ['--gen-len', options.genLen],
    ['--batch', options.batch],
    ['--repeats', options.repeats],
  ] as const) {
    if (value < 1) fail(`${flag} must be at least 1`);
  }
  if (options.genLen < 2) fail('--gen-len must be at least 2 to time decode steps');
  const factorisation = factorisationFrom(options);
  await withGpu(options.cpuThreads, async (gpu) => {
    const progress = (line: string) => process.stderr.write(`${line}\n`);
    progress(
      `dense model: prompt ${options.promptLen}, generate ${options.genLen}, batch ${options.batch}`,
    );
    const dense = await measureModel(gpu, options.model, undefined, options);
    const config = dense.config;
    const result: Record<string, unknown> = {
      model: options.model,
      adapter: gpu.info,
      promptLen: options.promptLen,
      genLen: options.genLen,
      batch: options.batch,
      ...dense.figures,
      denseDecodeTokS: dense.figures.decodeTokS,
      densePrefillTokS: dense.figures.prefillTokS,
      speedup: 1,
      bound: 1,
      ffnShare: feedForwardShare(config),
    };
    if (factorisation) {
      const parsed = factorisationSchema.parse(factorisation);
      progress(
        `factorised model: ${parsed.experts} experts, top-${parsed.topK}, ${parsed.split} split`,
      );
      const factorised = await measureModel(gpu, options.model, factorisation, options);
      Object.assign(result, {
        ...factorised.figures,
        experts: parsed.experts,
        topK: parsed.topK,
        split: parsed.split,
        ...compareWithDense(dense.figures, factorised.figures, config, parsed),
      });
    }
    if (options.peer) {
      progress('PyTorch eager peer: same checkpoint, same shape');
      Object.assign(result, await measurePeer(options, factorisation));
    }
    process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : formatBench(result));
  });
}

/** The peer's figures and the lab's ratios to them (above 1: the lab is faster). */
async function measurePeer(
  options: BenchModelOptions,
  factorisation: FactorisationOptions | undefined,
): Promise<Record<string, unknown>> {
  const parsed = factorisation && factorisationSchema.parse(factorisation);
  if (parsed && parsed.split !== 'sequential')
    return {
      peer: { skipped: 'the PyTorch peer splits sequentially only; use --split sequential' },
    };
  const peer = await runTorchPeer({
    model: options.model,
    factorised: parsed && { experts: parsed.experts, topK: parsed.topK },
    promptLen: options.promptLen,
    genLen: options.genLen,
    batch: options.batch,
  });
  return { peer };
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
  const peer = result.peer as
    (Record<string, number> & { skipped?: string; torch?: string }) | undefined;
  if (peer?.skipped !== undefined) lines.push(`PyTorch peer: skipped (${peer.skipped})`);
  else if (peer) {
    const ratio = (lab: string, theirs: string) =>
      `${((result[lab] as number) / peer[theirs]!).toFixed(2)}x`;
    lines.push(
      `PyTorch ${peer.torch} eager (${peer.threads} threads): prefill ${peer.prefillTokS!.toFixed(1)} ` +
        `tokens/s, decode ${peer.decodeTokS!.toFixed(1)} tokens/s`,
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
