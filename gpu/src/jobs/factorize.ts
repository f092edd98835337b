import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  factoriseMoeLayer,
  needsCalibration,
  routedWidths,
  type MoeFactorisationSettings,
} from '../factor/moe-factorisation.ts';
import { MOE_CONFIG_KEY, readMoeConfig, type MoeConfig } from '../factor/moe-config.ts';
import { withinGroupShare } from '../factor/neuron-groups.ts';
import type { LayerFactorisation } from '../factor/factorise.ts';
import { Checkpoint, CONFIG_FILE, writeCheckpoint } from '../model/checkpoint.ts';
import type { ModelConfig } from '../model/config.ts';
import { encodeValues, type SafetensorsDType } from '../model/safetensors/dtype.ts';
import {
  GENERATION_CONFIG_FILE,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
} from '../model/tokenizer.ts';
import type { Gpu } from '../runtime/device.ts';
import { expertParameterValues } from '../train/moe.ts';
import { readParameterValues } from '../train/parameters.ts';
import {
  coactivationCounts,
  recordNeuronActivity,
  type NeuronActivity,
} from './factorize-calibration.ts';
import {
  DEFAULT_ROUTER_HIDDEN,
  factorizeConfigSchema,
  type FactorizeConfig,
} from './factorize-config.ts';
import { acquireJobGpu } from './job-gpu.ts';
import type { JobDefinition, Reporter } from './job.ts';

export { factorizeConfigSchema, type FactorizeConfig };

/** Files beside the weights that travel with the model. */
const TOKENIZER_FILES = [
  TOKENIZER_FILE,
  TOKENIZER_CONFIG_FILE,
  GENERATION_CONFIG_FILE,
  'special_tokens_map.json',
];

const DTYPE_OF: Record<string, SafetensorsDType> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
};

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `config.<field>: problem`, as the runners print a refused config. */
function refuse(field: string, problem: string): never {
  throw new Error(`config.${field}: ${problem}`);
}

/**
 * The checks that need the model, made before any work: it exists and is dense, N divides the
 * routed width (or uneven experts are allowed), the shared expert leaves neurons to route, and an
 * existing output folder is a mixture of experts this job may replace.
 */
async function checkAgainstModel(config: FactorizeConfig): Promise<ModelConfig> {
  if (!(await exists(join(config.model, CONFIG_FILE))))
    refuse('model', `${config.model} holds no ${CONFIG_FILE}: give a checkpoint folder`);
  let checkpoint: Checkpoint;
  try {
    checkpoint = await Checkpoint.open(config.model);
  } catch (error) {
    refuse('model', (error as Error).message);
  }
  const modelConfig = checkpoint.config;
  await checkpoint.close();
  if (readMoeConfig(modelConfig))
    refuse('model', `${config.model} is already a mixture of experts; give its dense source`);
  if (modelConfig.mlp_bias)
    refuse('model', 'FFNs with biases (mlp_bias) cannot be cut into experts yet');
  const width = modelConfig.intermediate_size;
  if (config.sharedExpertSize > width - config.experts)
    refuse(
      'sharedExpertSize',
      `must leave at least one neuron per expert of the ${width} (at most ${width - config.experts})`,
    );
  const routed = width - config.sharedExpertSize;
  if (routed % config.experts !== 0 && !config.unevenExperts)
    refuse(
      'experts',
      `${config.experts} does not divide the ${routed} routed neurons (intermediate_size ${width}${config.sharedExpertSize ? ` less ${config.sharedExpertSize} shared` : ''}); choose a divisor or set unevenExperts`,
    );
  if (
    needsCalibration(settingsOf(config)) &&
    config.calibrationLength > modelConfig.max_position_embeddings
  )
    refuse(
      'calibrationLength',
      `must be at most the model's max_position_embeddings (${modelConfig.max_position_embeddings})`,
    );
  const output = resolve(config.output);
  if (output === resolve(config.model)) refuse('output', 'must not be the model folder itself');
  if (await exists(output)) {
    const entries = await readdir(output);
    const replaceable =
      entries.length === 0 ||
      (entries.includes(CONFIG_FILE) &&
        (await Checkpoint.open(output)
          .then(async (previous) => {
            await previous.close();
            return readMoeConfig(previous.config) !== undefined;
          })
          .catch(() => false)));
    if (!replaceable)
      refuse(
        'output',
        `${config.output} exists and is not a mixture-of-experts checkpoint this job wrote; give a new folder`,
      );
  }
  return modelConfig;
}

function settingsOf(config: FactorizeConfig): MoeFactorisationSettings {
  return {
    experts: config.experts,
    split: config.split,
    router: config.router,
    routerHidden: config.routerHidden ?? DEFAULT_ROUTER_HIDDEN,
    sharedExpertSize: config.sharedExpertSize,
    seed: config.seed,
  };
}

/** config.json's `factorlab_moe` for `config`. */
export function moeConfigOf(config: FactorizeConfig, modelConfig: ModelConfig): MoeConfig {
  const settings = settingsOf(config);
  const widths = routedWidths(modelConfig.intermediate_size, settings);
  return {
    num_experts: config.experts,
    top_k: config.topK,
    gating: config.gating,
    router: config.router,
    router_hidden: config.router === 'mlp' ? settings.routerHidden : null,
    shared_expert_size: config.sharedExpertSize,
    split: config.split,
    seed: config.seed,
    ...(widths.every((width) => width === widths[0]) ? {} : { expert_widths: widths }),
    source_model: resolve(config.model),
  };
}

export interface FactorizeResult {
  config: ModelConfig;
  layers: LayerFactorisation[];
  /** Per layer, the share of co-activation within experts (with calibration). */
  withinExpertShare?: number[];
}

/**
 * Cuts every FFN of the dense checkpoint `config.model` into a mixture of experts as `config`
 * says and writes it to `config.output` (see writeMoeCheckpoint). `gpu` is needed only when the
 * split or a shared expert calibrates.
 */
export async function factorizeModel(
  config: FactorizeConfig,
  reporter: Reporter,
  acquire: () => Promise<Gpu>,
): Promise<FactorizeResult> {
  const modelConfig = await checkAgainstModel(config);
  const settings = settingsOf(config);
  let activity: NeuronActivity | undefined;
  let gpu: Gpu | undefined;
  if (needsCalibration(settings)) {
    gpu = await acquire();
    reporter.progress(0.02, `calibration: ${config.calibrationTokens} Brown train tokens`);
    activity = await recordNeuronActivity(gpu, config.model, {
      tokens: config.calibrationTokens,
      sequenceLength: config.calibrationLength,
      activeShare: config.activeShare,
      seed: config.seed,
      onProgress: (fraction) => reporter.progress(0.02 + 0.48 * fraction, 'calibration'),
    });
  }
  const checkpoint = await Checkpoint.open(config.model);
  let values;
  try {
    values = await readParameterValues(checkpoint);
  } finally {
    await checkpoint.close();
  }
  const layers: LayerFactorisation[] = [];
  const withinExpertShare: number[] = [];
  const count = modelConfig.num_hidden_layers;
  for (let layer = 0; layer < count; layer++) {
    reporter.progress(0.5 + (0.4 * layer) / count, `splitting layer ${layer + 1} of ${count}`);
    const gate = values.get(`model.layers.${layer}.mlp.gate_proj.weight`)!.values;
    const coactivation = activity && (await coactivationCounts(gpu!, activity, layer));
    const factorisation = factoriseMoeLayer(
      layer,
      {
        gate,
        width: modelConfig.intermediate_size,
        inputs: modelConfig.hidden_size,
        coactivation,
      },
      settings,
    );
    if (coactivation)
      withinExpertShare.push(
        withinGroupShare(coactivation, modelConfig.intermediate_size, factorisation.experts),
      );
    layers.push(factorisation);
  }
  reporter.progress(0.9, `writing ${config.output}`);
  const moe = moeConfigOf(config, modelConfig);
  await writeMoeCheckpoint(
    config.model,
    config.output,
    { ...modelConfig, [MOE_CONFIG_KEY]: moe } as ModelConfig,
    expertParameterValues(values, modelConfig, layers),
  );
  reporter.progress(1, 'done');
  return {
    config: modelConfig,
    layers,
    ...(activity ? { withinExpertShare } : {}),
  };
}

/**
 * Writes the checkpoint folder `output` whole or not at all: weights (in the source's dtype),
 * config.json and the source's tokenizer files go into a temporary folder beside it, which is
 * then renamed over it.
 */
export async function writeMoeCheckpoint(
  source: string,
  output: string,
  config: ModelConfig,
  values: ReadonlyMap<string, { shape: readonly number[]; values: Float32Array }>,
): Promise<void> {
  const dtype = DTYPE_OF[config.torch_dtype ?? 'float32'] ?? 'F32';
  const target = resolve(output);
  await mkdir(dirname(target), { recursive: true });
  const partial = join(dirname(target), `.partial-${basename(target)}-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  try {
    await writeCheckpoint(
      partial,
      config,
      [...values].map(([name, { shape, values: data }]) => ({
        name,
        dtype,
        shape,
        encode: () => encodeValues(data, dtype),
      })),
    );
    for (const file of TOKENIZER_FILES)
      if (await exists(join(source, file))) await copyFile(join(source, file), join(partial, file));
    await rm(target, { recursive: true, force: true });
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

export const factorizeJob: JobDefinition<typeof factorizeConfigSchema> = {
  kind: 'factorize',
  description:
    'Cuts every FFN of a dense checkpoint into N experts without changing a weight (sequential, ' +
    'random, k-means or co-activation split; linear or mlp router; FactorLLM or softmax gating; ' +
    'optional shared expert) and saves the mixture of experts as a checkpoint folder.',
  schema: factorizeConfigSchema,
  async run(config, reporter) {
    const started = performance.now();
    const result = await factorizeModel(config, reporter, () => acquireJobGpu(reporter));
    reporter.artifact({ kind: 'MODEL', path: resolve(config.output) });
    const shares = result.withinExpertShare;
    return {
      summary: {
        experts: config.experts,
        top_k: config.topK,
        layers: result.layers.length,
        shared_expert_size: config.sharedExpertSize,
        ...(shares
          ? { within_expert_coactivation: shares.reduce((a, b) => a + b, 0) / shares.length }
          : {}),
        seconds: (performance.now() - started) / 1000,
      },
    };
  },
};
