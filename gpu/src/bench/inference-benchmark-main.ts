/**
 * The inference benchmark as a program of its own, for machines without the lab installed: the
 * device kit (gpu/device-kit/) bundles it. It writes a randomly initialised checkpoint of a model
 * config (by default `npm run bench`'s) into a temporary folder and runs the inference-bench job
 * on it once per top-k (dense and factorised into experts with untrained routers), as
 * `lab bench --model` does; the job's schema checks the flags. Prints a table; `--json-file FILE`
 * also writes the rows as JSON.
 *
 *   node inference.mjs [--config FILE] [--prompt-len 512] [--gen-len 64] [--batch 1]
 *     [--experts 4] [--top-k 1,2] [--repeats 3] [--json-file FILE]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { feedForwardShare } from '../eval/speed.ts';
import { flagIssue } from '../jobs/config-flags.ts';
import {
  inferenceBenchConfigSchema,
  type InferenceBenchConfig,
} from '../jobs/inference-bench-config.ts';
import { inferenceBenchJob } from '../jobs/inference-bench.ts';
import type { BenchmarkReport, Reporter } from '../jobs/job.ts';
import { writeCheckpoint } from '../model/checkpoint.ts';
import { parseModelConfig, readModelConfig, type ModelConfig } from '../model/config.ts';
import { randomCheckpointEntries } from '../model/random-init.ts';
import { NoAdapterError } from '../runtime/device.ts';
import benchmarkConfig from './llama-benchmark-config.json' with { type: 'json' };
import { textTable } from './text-table.ts';
import { DECODE_TRAFFIC_METRICS as TRAFFIC } from '../train/metric-keys.ts';

const USAGE =
  'usage: inference [--config FILE] [--prompt-len 512] [--gen-len 64] [--batch 1] ' +
  '[--experts 4] [--top-k 1,2] [--repeats 3] [--json-file FILE]';

interface Settings {
  config: ModelConfig;
  /** One inference-bench job config per top-k, its model the checkpoint written at `CHECKPOINT`. */
  jobs: InferenceBenchConfig[];
  jsonFile: string | undefined;
}

/** The job configs' model until the random checkpoint is written: a folder of its own. */
const CHECKPOINT = 'checkpoint';

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
  /** Bytes a decode step must read times steps/s (decodeTraffic). */
  decodeGbS: number;
  /** Its share of the host's read bandwidth, on CPU adapters (measured in the same job). */
  bandwidthShare?: number;
}

function integer(name: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isInteger(parsed))
    throw new Error(`--${name} must be an integer, got "${value}"`);
  return parsed;
}

/** The kit's flags as inference-bench job configs, checked by the job's schema. */
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
      profile: { type: 'boolean', default: false },
      'json-file': { type: 'string' },
    },
  });
  const jobs = values['top-k'].split(',').map((k) => {
    const parsed = inferenceBenchConfigSchema.safeParse({
      model: CHECKPOINT,
      experts: integer('experts', values.experts),
      topK: integer('top-k', k),
      promptLen: integer('prompt-len', values['prompt-len']),
      genLen: integer('gen-len', values['gen-len']),
      batch: integer('batch', values.batch),
      repeats: integer('repeats', values.repeats),
      profile: values.profile,
    });
    if (!parsed.success) throw new Error(flagIssue(parsed.error));
    return parsed.data;
  });
  return {
    config: values.config
      ? await readModelConfig(values.config)
      : parseModelConfig(benchmarkConfig, 'the benchmark config'),
    jobs,
    jsonFile: values['json-file'],
  };
}

/** What one job run reported: its benchmark row and summary; stages go to stderr. */
async function runJob(config: InferenceBenchConfig) {
  let row: BenchmarkReport | undefined;
  const reporter: Reporter = {
    progress: (_, stage) => stage && process.stderr.write(`${stage}\n`),
    metrics: () => {},
    device: () => {},
    log: (message) => process.stderr.write(`${message}\n`),
    shouldStop: () => false,
    benchmark: (report) => (row = report),
    artifact: () => {},
    resumeFrom: () => null,
  };
  const { summary } = await inferenceBenchJob.run(config, reporter);
  if (!row) throw new Error('the inference-bench job reported no benchmark row');
  return { row, summary };
}

/** The dense row (from the first job) and one factorised row per job. */
async function measureAll(settings: Settings, directory: string): Promise<InferenceRow[]> {
  const rows: InferenceRow[] = [];
  for (const job of settings.jobs) {
    const { row, summary } = await runJob({ ...job, model: directory });
    if (rows.length === 0)
      rows.push({
        ffn: 'dense',
        prefillTokS: summary.dense_prefill_tok_s!,
        decodeTokS: summary.dense_decode_tok_s!,
        decodeStepMsP50: summary.dense_decode_ms_p50!,
        decodeStepMsP95: summary.dense_decode_ms_p95!,
        decodeGbS: summary[TRAFFIC.denseDecodeGbS]!,
        bandwidthShare: summary[TRAFFIC.denseBandwidthShare],
      });
    rows.push({
      ffn: `top-${job.topK} of ${job.experts}`,
      prefillTokS: row.prefillTokS,
      decodeTokS: row.decodeTokS,
      decodeStepMsP50: row.decodeLatencyMs!.p50,
      decodeStepMsP95: row.decodeLatencyMs!.p95,
      speedup: summary.speedup,
      prefillSpeedup: summary.prefill_speedup,
      bound: row.bound,
      decodeGbS: summary[TRAFFIC.decodeGbS]!,
      bandwidthShare: summary[TRAFFIC.bandwidthShare],
    });
  }
  return rows;
}

function report(settings: Settings, rows: InferenceRow[]): string {
  const fixed = (value: number | undefined, digits = 1) =>
    value === undefined ? '-' : value.toFixed(digits);
  const { config } = settings;
  const { promptLen, genLen, batch } = settings.jobs[0]!;
  return [
    `Model: ${config.num_hidden_layers} layers, hidden ${config.hidden_size}, FFN ` +
      `${config.intermediate_size} (share of decode FLOPs ${feedForwardShare(config).toFixed(3)}); ` +
      `prompts of ${promptLen}, ${genLen} generated, batch ${batch}`,
    textTable(
      [
        'FFN',
        'prefill tok/s',
        'decode tok/s',
        'decode GB/s',
        'of read bw',
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
        fixed(row.decodeGbS, 2),
        row.bandwidthShare === undefined ? '-' : `${(row.bandwidthShare * 100).toFixed(0)}%`,
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
