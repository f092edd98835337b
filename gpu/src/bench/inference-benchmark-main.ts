/**
 * The inference benchmark as a program of its own, for machines without the lab installed: the
 * device kit (gpu/device-kit/) bundles it. It writes a randomly initialised checkpoint of a model
 * config (by default `npm run bench`'s) into a temporary folder and times prefill and decode, dense
 * and factorised into experts with untrained routers, as `lab bench --model` does. Prints a table;
 * `--json-file FILE` also writes the rows as JSON.
 *
 *   node inference.mjs [--config FILE] [--prompt-len 512] [--gen-len 64] [--batch 1]
 *     [--experts 4] [--top-k 1,2] [--repeats 3] [--json-file FILE]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareWithDense, measureCheckpoint } from '../eval/inference-benchmark.ts';
import type { LoadOptions } from '../inference/llama-model.ts';
import { feedForwardShare } from '../eval/speed.ts';
import { writeCheckpoint } from '../model/checkpoint.ts';
import { parseModelConfig, readModelConfig, type ModelConfig } from '../model/config.ts';
import { randomCheckpointEntries } from '../model/random-init.ts';
import { acquireGpu, NoAdapterError } from '../runtime/device.ts';
import benchmarkConfig from './llama-benchmark-config.json' with { type: 'json' };
import { textTable } from './text-table.ts';

const USAGE =
  'usage: inference [--config FILE] [--prompt-len 512] [--gen-len 64] [--batch 1] ' +
  '[--experts 4] [--top-k 1,2] [--repeats 3] [--json-file FILE]';

interface Settings {
  config: ModelConfig;
  promptLength: number;
  generateLength: number;
  batch: number;
  experts: number;
  topKs: number[];
  repeats: number;
  jsonFile: string | undefined;
}

/** One measured configuration: the dense model, or top-k of `experts`. */
interface InferenceRow {
  ffn: string;
  prefillTokS: number;
  decodeTokS: number;
  decodeStepMsP50: number;
  decodeStepMsP95: number;
  /** Factorised rows: decode and prefill against the dense row, and the FLOP bound on decode. */
  speedup?: number;
  prefillSpeedup?: number;
  bound?: number;
}

function positive(name: string, value: string, least = 1): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < least) {
    throw new Error(`--${name} must be an integer of at least ${least}, got "${value}"`);
  }
  return parsed;
}

async function settingsOf(argv: string[]): Promise<Settings> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      'prompt-len': { type: 'string', default: '512' },
      'gen-len': { type: 'string', default: '64' },
      batch: { type: 'string', default: '1' },
      experts: { type: 'string', default: '4' },
      'top-k': { type: 'string', default: '1,2' },
      repeats: { type: 'string', default: '3' },
      'json-file': { type: 'string' },
    },
  });
  const experts = positive('experts', values.experts);
  const topKs = values['top-k'].split(',').map((k) => positive('top-k', k));
  if (topKs.some((k) => k > experts)) {
    throw new Error(`--top-k must be at most --experts (${experts}), got "${values['top-k']}"`);
  }
  return {
    config: values.config
      ? await readModelConfig(values.config)
      : parseModelConfig(benchmarkConfig, 'the benchmark config'),
    promptLength: positive('prompt-len', values['prompt-len']),
    generateLength: positive('gen-len', values['gen-len'], 2),
    batch: positive('batch', values.batch),
    experts,
    topKs,
    repeats: positive('repeats', values.repeats),
    jsonFile: values['json-file'],
  };
}

async function measureAll(settings: Settings, directory: string): Promise<InferenceRow[]> {
  const { config, experts } = settings;
  const gpu = await acquireGpu();
  try {
    const options = {
      promptLength: settings.promptLength,
      generateLength: settings.generateLength,
      batch: settings.batch,
      repeats: settings.repeats,
    };
    const measure = async (ffn: string, load: LoadOptions) => {
      process.stderr.write(`${ffn}\n`);
      const { figures } = await measureCheckpoint(gpu, directory, load, options);
      return { ffn, ...figures };
    };
    const dense = await measure('dense', {});
    const rows: InferenceRow[] = [dense];
    for (const topK of settings.topKs) {
      const factorisation = { experts, topK, split: 'sequential', seed: 0 } as const;
      const row = await measure(`top-${topK} of ${experts}`, { factorisation });
      rows.push({ ...row, ...compareWithDense(dense, row, config, { experts, topK }) });
    }
    return rows;
  } finally {
    gpu.device.destroy();
  }
}

function report(settings: Settings, rows: InferenceRow[]): string {
  const fixed = (value: number | undefined, digits = 1) =>
    value === undefined ? '-' : value.toFixed(digits);
  const { config, promptLength, generateLength, batch } = settings;
  return [
    `Model: ${config.num_hidden_layers} layers, hidden ${config.hidden_size}, FFN ` +
      `${config.intermediate_size} (share of decode FLOPs ${feedForwardShare(config).toFixed(3)}); ` +
      `prompts of ${promptLength}, ${generateLength} generated, batch ${batch}`,
    textTable(
      [
        'FFN',
        'prefill tok/s',
        'decode tok/s',
        'step p50 ms',
        'step p95 ms',
        'speedup',
        'bound',
        'prefill vs dense',
      ],
      rows.map((row) => [
        row.ffn,
        fixed(row.prefillTokS),
        fixed(row.decodeTokS),
        fixed(row.decodeStepMsP50, 2),
        fixed(row.decodeStepMsP95, 2),
        fixed(row.speedup, 2),
        fixed(row.bound, 2),
        fixed(row.prefillSpeedup, 2),
      ]),
      1,
    ),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  let settings;
  try {
    settings = await settingsOf(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const directory = await mkdtemp(join(tmpdir(), 'factorlab-inference-'));
  try {
    await writeCheckpoint(
      directory,
      settings.config,
      randomCheckpointEntries(settings.config, 0, 'F32'),
    );
    const rows = await measureAll(settings, directory);
    if (settings.jsonFile) {
      await writeFile(settings.jsonFile, JSON.stringify({ config: settings.config, rows }) + '\n');
    }
    console.log(report(settings, rows));
    return 0;
  } catch (error) {
    if (!(error instanceof NoAdapterError)) throw error;
    console.error(`error: ${error.message}`);
    return 3;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
