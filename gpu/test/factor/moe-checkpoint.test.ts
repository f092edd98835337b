import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  acquireGpu,
  Checkpoint,
  LlamaModel,
  noGrad,
  packTokens,
  tensor,
  type Gpu,
  type LayerFactorisation,
  type ModelConfig,
} from '../../src/index.ts';
import { MOE_CONFIG_KEY, readMoeConfig, type MoeConfig } from '../../src/factor/moe-config.ts';
import {
  factorizeConfigSchema,
  factorizeModel,
  writeMoeCheckpoint,
  type FactorizeConfig,
} from '../../src/jobs/factorize.ts';
import { inferenceBenchJob } from '../../src/jobs/inference-bench.ts';
import { speedupBound } from '../../src/eval/speed.ts';
import { expertParameterValues } from '../../src/train/moe.ts';
import { readParameterValues, type ParameterValues } from '../../src/train/parameters.ts';
import { TrainableLlama } from '../../src/train/trainable-llama.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { writeFixtureCheckpoint } from '../reference/fixtures.ts';
import { loadReferenceConfig } from '../reference/config-f64.ts';
import {
  loadReferenceWeights,
  referenceLogits,
  type ReferenceFactorisation,
} from '../reference/llama-f64.ts';
import { RecordingReporter } from '../recording-reporter.ts';

const DEMO = fileURLToPath(new URL('../../../models/demo', import.meta.url));
const temporaryFolder = useTemporaryFolders();
// The demo's logits are O(10); float32 sums in another order differ by about 1e-5.
const TOLERANCE = 1e-4;
const POSITIONS = 24;
/** Brown text of the demo's own tokenizer: the first tokens of a sentence. */
let ids: number[];
let gpu: Gpu;
let denseLogits: Float32Array;

beforeAll(async () => {
  gpu = await acquireGpu();
  const model = await TrainableLlama.open(gpu, DEMO);
  ids = Array.from({ length: POSITIONS }, (_, index) => (index * 337 + 11) % 4000);
  denseLogits = await trainableLogits(model);
  model.dispose();
});

async function trainableLogits(model: TrainableLlama): Promise<Float32Array> {
  const idsTensor = tensor(gpu, Int32Array.from(ids), [POSITIONS]);
  const pass = noGrad(() => model.logits({ ids: idsTensor, batch: 1, positions: POSITIONS }));
  const logits = await pass.output.read();
  pass.activations.dispose();
  idsTensor.dispose();
  model.dispose();
  return logits;
}

async function openedTrainableLogits(directory: string): Promise<Float32Array> {
  return trainableLogits(await TrainableLlama.open(gpu, directory));
}

/**
 * Logits of `tokens` (default all of `ids`) by the inference path: a few tokens take the
 * per-token expert kernels, more the grouped ones; `kernelTarget` picks the family.
 */
async function inferenceLogits(
  directory: string,
  { tokens = ids, kernelTarget }: { tokens?: number[]; kernelTarget?: 'cpu' | 'gpu' } = {},
): Promise<Float32Array> {
  const model = await LlamaModel.open(gpu, directory, { kernelTarget });
  const cache = model.createCache(1, 64);
  const logits = await model
    .forward(packTokens([{ slot: 0, start: 0, ids: tokens }]), cache, 'all')
    .read();
  cache.dispose();
  model.dispose();
  return logits;
}

function largestDifference(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  return actual.reduce(
    (largest, value, index) => Math.max(largest, Math.abs(value - expected[index]!)),
    0,
  );
}

async function factorize(overrides: Partial<FactorizeConfig>): Promise<string> {
  return (await factorizeWithLayers(overrides)).output;
}

async function factorizeWithLayers(overrides: Partial<FactorizeConfig>) {
  const output = join(await temporaryFolder(), 'moe');
  const config = factorizeConfigSchema.parse({
    model: DEMO,
    output,
    experts: 4,
    topK: 4,
    calibrationTokens: 256,
    calibrationLength: 128,
    ...overrides,
  });
  const { layers } = await factorizeModel(config, new RecordingReporter(), () =>
    Promise.resolve(gpu),
  );
  return { output, layers, config };
}

describe('factorize: saved mixtures of experts of the demo model', () => {
  it.each([
    { split: 'sequential', router: 'linear', sharedExpertSize: 0 },
    { split: 'random', router: 'linear', sharedExpertSize: 0 },
    { split: 'kmeans', router: 'linear', sharedExpertSize: 0 },
    { split: 'coactivation', router: 'linear', sharedExpertSize: 0 },
    { split: 'sequential', router: 'mlp', sharedExpertSize: 0 },
    { split: 'random', router: 'mlp', sharedExpertSize: 48 },
    { split: 'kmeans', router: 'mlp', sharedExpertSize: 0 },
    { split: 'coactivation', router: 'mlp', sharedExpertSize: 48 },
  ] as const)(
    'k = N is exact: $split split, $router router, shared expert $sharedExpertSize: TrainableLlama and the inference path give the dense logits',
    async (settings) => {
      const output = await factorize({ ...settings, gating: 'factorllm' });
      const checkpoint = await Checkpoint.open(output);
      const moe = readMoeConfig(checkpoint.config)!;
      const names = checkpoint.tensorNames;
      await checkpoint.close();
      expect(moe).toMatchObject({ num_experts: 4, top_k: 4, split: settings.split });
      expect(names).not.toContain('model.layers.0.mlp.gate_proj.weight');
      expect(names.includes('model.layers.0.mlp.router.hidden.weight')).toBe(
        settings.router === 'mlp',
      );
      expect(names.includes('model.layers.0.mlp.shared_expert.down_proj.weight')).toBe(
        settings.sharedExpertSize > 0,
      );
      expect(largestDifference(await openedTrainableLogits(output), denseLogits)).toBeLessThan(
        TOLERANCE,
      );
      expect(largestDifference(await inferenceLogits(output), denseLogits)).toBeLessThan(TOLERANCE);
    },
  );

  it.each([
    { gating: 'factorllm', router: 'linear', sharedExpertSize: 0 },
    { gating: 'softmax', router: 'linear', sharedExpertSize: 0 },
    { gating: 'softmax', router: 'mlp', sharedExpertSize: 48 },
    { gating: 'factorllm', router: 'mlp', sharedExpertSize: 48 },
  ] as const)(
    'k < N, $gating gating, $router router, shared $sharedExpertSize: the inference path computes the saved model as training does',
    async (settings) => {
      const output = await factorize({ ...settings, split: 'random', topK: 2, seed: 3 });
      const trained = await openedTrainableLogits(output);
      expect(largestDifference(await inferenceLogits(output), trained)).toBeLessThan(TOLERANCE);
      // Three tokens: 6 (token, expert) pairs take the per-token kernels of both families.
      const firstRows = trained.subarray(0, 3 * (trained.length / POSITIONS));
      for (const kernelTarget of ['cpu', 'gpu'] as const) {
        const logits = await inferenceLogits(output, { tokens: ids.slice(0, 3), kernelTarget });
        expect(largestDifference(logits, firstRows), kernelTarget).toBeLessThan(TOLERANCE);
      }
      // An untrained router at k = 2 of 4 is far from the dense model.
      expect(largestDifference(trained, denseLogits)).toBeGreaterThan(0.1);
    },
  );

  it.each([
    { gating: 'softmax', router: 'mlp', sharedExpertSize: 48 },
    { gating: 'factorllm', router: 'mlp', sharedExpertSize: 0 },
    { gating: 'softmax', router: 'linear', sharedExpertSize: 0 },
  ] as const)(
    'k < N, $gating gating, $router router, shared $sharedExpertSize: logits equal an independent float64 forward of the dense weights and the same neurons and router',
    async (settings) => {
      const { output, layers, config } = await factorizeWithLayers({
        ...settings,
        split: 'kmeans',
        topK: 2,
        seed: 11,
      });
      const wide = (values: Float32Array) => Float64Array.from(values);
      const factorisation: ReferenceFactorisation = {
        topK: config.topK,
        gating: config.gating,
        layers: layers.map((layer) => ({
          experts: layer.experts,
          routerWeight: wide(layer.routerWeight),
          routerBias: wide(layer.routerBias),
          ...(layer.routerHidden && {
            routerHidden: {
              weight: wide(layer.routerHidden.weight),
              bias: wide(layer.routerHidden.bias),
            },
          }),
          ...(layer.shared && { shared: layer.shared }),
        })),
      };
      const reference = Float32Array.from(
        referenceLogits(
          await loadReferenceConfig(DEMO),
          await loadReferenceWeights(DEMO),
          ids,
          factorisation,
        ).flatMap((row) => [...row]),
      );
      expect(largestDifference(await openedTrainableLogits(output), reference)).toBeLessThan(
        TOLERANCE,
      );
      expect(largestDifference(await inferenceLogits(output), reference)).toBeLessThan(TOLERANCE);
    },
  );

  it('softmax gating at k = N weights each expert by its router probability: a zero router gives the routed part 1/N of the dense FFN', async () => {
    const checkpoint = await Checkpoint.open(DEMO);
    const config = checkpoint.config;
    const values = await readParameterValues(checkpoint);
    await checkpoint.close();
    const shared = [3, 50, 51, 400, 687, 0, 9, 100];
    const experts = 4;
    const routed = Array.from({ length: config.intermediate_size }, (_, n) => n).filter(
      (neuron) => !shared.includes(neuron),
    );
    const layers: LayerFactorisation[] = Array.from({ length: config.num_hidden_layers }, () => ({
      experts: Array.from({ length: experts }, (_, e) =>
        routed.filter((_, i) => i % experts === e),
      ),
      routerWeight: new Float32Array(experts * config.hidden_size),
      routerBias: new Float32Array(experts),
      shared,
    }));
    const moe: MoeConfig = {
      num_experts: experts,
      top_k: experts,
      gating: 'softmax',
      router: 'linear',
      router_hidden: null,
      shared_expert_size: shared.length,
      split: 'sequential',
      seed: 0,
      source_model: DEMO,
    };
    const output = join(await temporaryFolder(), 'moe');
    await writeMoeCheckpoint(
      DEMO,
      output,
      { ...config, [MOE_CONFIG_KEY]: moe } as ModelConfig,
      expertParameterValues(values, config, layers),
    );
    const reference = join(await temporaryFolder(), 'scaled');
    await writeMoeCheckpoint(
      DEMO,
      reference,
      config,
      scaledDown(values, config, routed, 1 / experts),
    );
    const expected = await openedTrainableLogits(reference);
    expect(largestDifference(expected, denseLogits)).toBeGreaterThan(0.1);
    expect(largestDifference(await openedTrainableLogits(output), expected)).toBeLessThan(
      TOLERANCE,
    );
    expect(largestDifference(await inferenceLogits(output), expected)).toBeLessThan(TOLERANCE);
  });

  it('the coactivation split is deterministic: the same seed writes the same weights', async () => {
    const settings = { split: 'coactivation', topK: 2, sharedExpertSize: 16 } as const;
    const [first, second] = [await factorize(settings), await factorize(settings)];
    const bytes = (directory: string) => readFile(join(directory, 'model.safetensors'));
    expect((await bytes(first)).equals(await bytes(second))).toBe(true);
    const other = await factorize({ ...settings, seed: 1 });
    expect((await bytes(first)).equals(await bytes(other))).toBe(false);
  });
});

describe('saved mixtures of experts of half-precision models', () => {
  it.each(['BF16', 'F16'] as const)(
    '%s, GQA with q/k/v biases, experts of 25 neurons (not vec4-shaped): saved in the source dtype, k = N equals the dense model',
    async (dtype) => {
      const source = join(await temporaryFolder(), 'dense');
      await writeFixtureCheckpoint(source, {
        dtype,
        family: 'qwen2',
        qkvBias: true,
        heads: 4,
        kvHeads: 2,
      });
      const output = join(await temporaryFolder(), 'moe');
      const config = factorizeConfigSchema.parse({
        model: source,
        output,
        experts: 4,
        topK: 4,
        split: 'random',
        router: 'mlp',
      });
      await factorizeModel(config, new RecordingReporter(), () => Promise.resolve(gpu));
      const checkpoint = await Checkpoint.open(output);
      expect(checkpoint.info('model.layers.1.mlp.experts.down_proj.weight')).toMatchObject({
        dtype,
        shape: [4, 25, 48],
      });
      await checkpoint.close();
      const tokens = ids.map((id) => id % 97);
      const [moe, dense] = [
        await inferenceLogits(output, { tokens }),
        await inferenceLogits(source, { tokens }),
      ];
      expect(largestDifference(moe, dense)).toBeLessThan(TOLERANCE);
    },
  );
});

describe('lab bench over a saved mixture of experts', () => {
  it('measures it against its dense source in the same run, the bound counting the shared expert', async () => {
    const output = await factorize({ split: 'random', topK: 1, sharedExpertSize: 48 });
    const reporter = new RecordingReporter();
    const bench = { promptLen: 8, genLen: 4, repeats: 1 };
    const { summary } = await inferenceBenchJob.run(
      inferenceBenchJob.schema.parse({ model: output, ...bench }),
      reporter,
    );
    const [row] = reporter.benchmarks;
    expect(row).toMatchObject({ experts: 4, topK: 1, split: 'random', modelPath: output });
    expect(row!.denseDecodeTokS).toBe(summary.dense_decode_tok_s);
    expect(row!.decodeTokS).not.toBe(row!.denseDecodeTokS);
    const checkpoint = await Checkpoint.open(DEMO);
    // 48 shared neurons always run, and a quarter of the other 640.
    const active = (48 + 640 / 4) / 688;
    expect(summary.bound).toBeCloseTo(speedupBound(checkpoint.config, 1, active), 12);
    await checkpoint.close();
    await expect(
      inferenceBenchJob.run(
        inferenceBenchJob.schema.parse({ model: output, experts: 4, topK: 2, ...bench }),
        new RecordingReporter(),
      ),
    ).rejects.toThrow(/^config\.experts: .* is already a mixture of 4 experts/);
  });
});

/** The dense values with down_proj's columns `neurons` times `factor` in every layer. */
function scaledDown(
  values: ParameterValues,
  config: ModelConfig,
  neurons: readonly number[],
  factor: number,
): ParameterValues {
  const result = new Map(values);
  const f = config.intermediate_size;
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const name = `model.layers.${layer}.mlp.down_proj.weight`;
    const down = Float32Array.from(values.get(name)!.values);
    for (let row = 0; row < config.hidden_size; row++)
      for (const neuron of neurons) down[row * f + neuron]! *= factor;
    result.set(name, { shape: values.get(name)!.shape, values: down });
  }
  return result;
}
