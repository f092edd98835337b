import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';

const SCRIPT = fileURLToPath(new URL('torch_llama_peer.py', import.meta.url));

/**
 * Where to look for a Python with torch: the PATH's python3 first, then Debian's own, which
 * python3-torch installs into and a pyenv or virtualenv python3 on the PATH may hide.
 */
const DEFAULT_PYTHONS = ['python3', '/usr/bin/python3'];

const positive = z.number().positive();

const timingSchema = z.object({
  peer: z.literal('pytorch-eager'),
  torch: z.string(),
  threads: z.int().positive(),
  /** The BLAS library torch runs its matmuls on; null where it cannot be seen. */
  blas: z.string().nullable(),
  /** Timed runs of each model; the figures are the best of them. */
  repeats: z.int().positive(),
  prefillTokS: positive,
  decodeTokS: positive,
  decodeStepMsP50: positive,
  decodeStepMsP95: positive,
  experts: z.int().positive().optional(),
  topK: z.int().positive().optional(),
  denseDecodeTokS: positive.optional(),
  densePrefillTokS: positive.optional(),
  /** Factorised over dense decode throughput. */
  speedup: positive.optional(),
  /** How the weights were multiplied: as stored (F.linear) or transposed once (x @ W^T). */
  layout: z.enum(['linear', 'transposed']),
  /** With the layout chosen by trial: each layout's trial decode tokens/s. */
  layoutTrialDecodeTokS: z.object({ linear: positive, transposed: positive }).optional(),
});

export type TorchPeerResult = z.output<typeof timingSchema>;

const logitsSchema = z.object({
  shape: z.tuple([z.int().positive(), z.int().positive()]),
  logits: z.array(z.array(z.number())),
  /** Factorised only: each layer's router weight [N][hidden_size]; the biases are zero. */
  routers: z.array(z.array(z.array(z.number()))).optional(),
});

export type TorchPeerLogits = z.output<typeof logitsSchema>;

export interface TorchPeerSkipped {
  skipped: string;
}

/** Routes each FFN to `topK` of `experts` sequential slices of its neurons (factorised mode). */
export interface FactorisationOptions {
  experts: number;
  topK: number;
}

export interface PythonOptions {
  /** Interpreters to try, in order; the first with torch and numpy runs the peer. */
  pythons?: readonly string[];
  timeoutMs?: number;
}

interface PeerCommonOptions extends PythonOptions {
  /** A Hugging Face Llama checkpoint folder. */
  model: string;
  factorised?: FactorisationOptions;
  /** Seeds the prompt ids and the routers. */
  seed?: number;
}

export interface TorchPeerOptions extends PeerCommonOptions {
  promptLen: number;
  genLen: number;
  batch: number;
  /** Timed runs of each model, best of which is reported (the script's default is 3). */
  repeats?: number;
  /** The weights' layout; by default the faster on this BLAS, chosen by a short trial. */
  layout?: 'auto' | 'linear' | 'transposed';
}

/**
 * What kind of BLAS the library at `path` is: an optimised one (OpenBLAS, MKL, BLIS, Accelerate,
 * Arm PL), the reference (netlib) one Debian installs by default, or unknown (none seen: a wheel's
 * own statically linked BLAS).
 */
export function blasKind(path: string | null): 'optimised' | 'reference' | 'unknown' {
  if (path === null) return 'unknown';
  if (/openblas|mkl|blis|accelerate|armpl/i.test(path)) return 'optimised';
  return 'reference';
}

/**
 * Why a timing on `blas` is no peer: over the reference BLAS PyTorch multiplies matrices 20-30x
 * slower than a user gets with one more package, so the lab would be measured against a straw man.
 */
export function referenceBlasRefusal(blas: string): string {
  return (
    `PyTorch ran on the reference BLAS (${blas}), which is no honest peer: install an optimised ` +
    `one (Debian and Ubuntu: apt-get install libopenblas0-pthread) and run again`
  );
}

export interface TorchPeerLogitsOptions extends PeerCommonOptions {
  ids: readonly number[];
  /** The weights' layout (default: as stored); the logits do not depend on it. */
  layout?: 'linear' | 'transposed';
}

const execFileAsync = promisify(execFile);

const pythonChecks = new Map<string, Promise<string | undefined>>();

/** Why `python` cannot run the peer, or undefined when it can. Asked once per interpreter. */
function whyPythonUnfit(python: string): Promise<string | undefined> {
  let check = pythonChecks.get(python);
  if (!check) {
    check = execFileAsync(python, ['-c', 'import numpy, torch'], { timeout: 60_000 }).then(
      () => undefined,
      (error: { code?: unknown; stderr?: string }) => {
        if (error.code === 'ENOENT') return `${python} is not installed`;
        const missing = /No module named '([^']+)'/.exec(error.stderr ?? '')?.[1];
        if (missing) return `${missing} is not installed for ${python}`;
        return `${python} cannot import numpy and torch: ${lastLine(error.stderr) ?? String(error)}`;
      },
    );
    pythonChecks.set(python, check);
  }
  return check;
}

function lastLine(text: string | undefined): string | undefined {
  return text?.trim().split('\n').at(-1) || undefined;
}

async function findPython(pythons: readonly string[]): Promise<{ python?: string; why: string[] }> {
  const why: string[] = [];
  for (const python of pythons) {
    const reason = await whyPythonUnfit(python);
    if (reason === undefined) return { python, why };
    why.push(reason);
  }
  return { why };
}

function commonArguments(options: PeerCommonOptions): string[] {
  const args = ['--model', options.model];
  if (options.factorised)
    args.push(
      '--experts',
      String(options.factorised.experts),
      '--top-k',
      String(options.factorised.topK),
      '--split',
      'sequential',
    );
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  return args;
}

/** Runs a peer script (by default the inference one) with the first fit interpreter, or says why none is. */
export async function runPeerScript(
  options: PythonOptions,
  args: readonly string[],
  script = SCRIPT,
): Promise<{ stdout: string } | TorchPeerSkipped> {
  const { python, why } = await findPython(options.pythons ?? DEFAULT_PYTHONS);
  if (!python) return { skipped: `no Python with torch and numpy: ${why.join('; ')}` };
  try {
    const { stdout } = await execFileAsync(python, [script, ...args], {
      timeout: options.timeoutMs ?? 600_000,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { stdout };
  } catch (error) {
    const { stderr, killed } = error as { stderr?: string; killed?: boolean };
    if (killed) throw new Error(`the PyTorch peer ran past ${options.timeoutMs ?? 600_000} ms`);
    throw new Error(
      `the PyTorch peer failed: ${lastLine(stderr) ?? (error instanceof Error ? error.message : String(error))}`,
    );
  }
}

export function parsePeerOutput<Schema extends z.ZodType>(
  schema: Schema,
  stdout: string,
): z.output<Schema> {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new Error(`the PyTorch peer printed something other than JSON: ${stdout.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new Error(`the PyTorch peer printed unexpected JSON: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/**
 * Times PyTorch's eager CPU inference of a checkpoint: prefill of `batch` x `promptLen` random
 * ids, then `genLen` greedy decode steps, after a warm-up, best of `repeats` runs. Factorised, it
 * also times the dense model in the same process, runs alternating, and reports the decode
 * speedup. Skipped (not failed) when no Python with torch is installed, and when torch runs on the
 * reference BLAS (see referenceBlasRefusal); an error when the script fails.
 */
export async function runTorchPeer(
  options: TorchPeerOptions,
): Promise<TorchPeerResult | TorchPeerSkipped> {
  const run = await runPeerScript(options, [
    ...commonArguments(options),
    '--prompt-len',
    String(options.promptLen),
    '--gen-len',
    String(options.genLen),
    '--batch',
    String(options.batch),
    ...(options.repeats === undefined ? [] : ['--repeats', String(options.repeats)]),
    ...(options.layout === undefined ? [] : ['--layout', options.layout]),
  ]);
  if ('skipped' in run) return run;
  const result = parsePeerOutput(timingSchema, run.stdout);
  if (result.blas !== null && blasKind(result.blas) === 'reference')
    return { skipped: referenceBlasRefusal(result.blas) };
  return result;
}

/** The peer's logits of `ids` as one sequence, for cross-checking a forward pass. */
export async function torchPeerLogits(
  options: TorchPeerLogitsOptions,
): Promise<TorchPeerLogits | TorchPeerSkipped> {
  const run = await runPeerScript(options, [
    ...commonArguments(options),
    '--logits-ids',
    options.ids.join(','),
    ...(options.layout === undefined ? [] : ['--layout', options.layout]),
  ]);
  return 'skipped' in run ? run : parsePeerOutput(logitsSchema, run.stdout);
}
