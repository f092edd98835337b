import { describe, expect, it } from 'vitest';
import { Checkpoint } from '../../src/model/index.ts';
import { useTemporaryFolders } from '../model/files.ts';
import {
  FIXTURE_VARIANTS,
  fixtureConfig,
  fixtureTokens,
  randomFactorisation,
  writeFixtureCheckpoint,
  type FixtureOptions,
} from './fixtures.ts';
import {
  loadReferenceWeights,
  referenceLogits,
  type ReferenceFactorisation,
  type ReferenceWeights,
} from './llama-f64.ts';
import { ropeInverseFrequencies } from './rope-f64.ts';
import { parseReferenceConfig, type ReferenceConfig } from './config-f64.ts';

const temporaryFolder = useTemporaryFolders();

/** A one-layer, one-head model with hidden size 2 and vocabulary 3, whose maths fits in a test. */
function tinyConfig(overrides: Record<string, unknown> = {}): ReferenceConfig {
  return parseReferenceConfig({
    vocab_size: 3,
    hidden_size: 2,
    intermediate_size: 2,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    max_position_embeddings: 8,
    rms_norm_eps: 1e-12,
    ...overrides,
  });
}

function weightsOf(tensors: Record<string, number[]>): Map<string, Float64Array> {
  return new Map(
    Object.entries(tensors).map(([name, values]) => [name, Float64Array.from(values)]),
  );
}

const IDENTITY = [1, 0, 0, 1];
const ZERO = [0, 0, 0, 0];
const EMBEDDING = [1, 0, 0, 2, 3, -1];
const LM_HEAD = [1, 0, 0, 1, 1, 1];
const silu = (value: number) => value / (1 + Math.exp(-value));
/** RMSNorm of a pair with unit weights and (negligible) eps 0. */
const normPair = ([a, b]: readonly number[]) => {
  const rms = Math.sqrt((a! * a! + b! * b!) / 2);
  return [a! / rms, b! / rms];
};
/** lm_head [[1, 0], [0, 1], [1, 1]] over the final norm with weight `norm`. */
const headLogits = (x: readonly number[], norm = [1, 1]) => {
  const [a, b] = normPair(x);
  return [a! * norm[0]!, b! * norm[1]!, a! * norm[0]! + b! * norm[1]!];
};

function expectRowsClose(actual: Float64Array[], expected: number[][], tolerance: number) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((row, t) => {
    expect(row).toHaveLength(expected[t]!.length);
    row.forEach((value, i) => expect(Math.abs(value - expected[t]![i]!)).toBeLessThan(tolerance));
  });
}

function maxDifference(a: Float64Array[], b: Float64Array[]): number {
  let max = 0;
  a.forEach((row, t) =>
    row.forEach((value, i) => (max = Math.max(max, Math.abs(value - b[t]![i]!)))),
  );
  return max;
}

describe('reference forward pass, worked by hand', () => {
  it('matches a one-layer model with identity-like weights over two positions', () => {
    const config = tinyConfig();
    // v and down are triangular so a transposed [out, in] reading would change the result.
    const weights = weightsOf({
      'model.embed_tokens.weight': EMBEDDING,
      'model.layers.0.input_layernorm.weight': [1, 0.5],
      'model.layers.0.self_attn.q_proj.weight': IDENTITY,
      'model.layers.0.self_attn.k_proj.weight': IDENTITY,
      'model.layers.0.self_attn.v_proj.weight': [1, 1, 0, 1],
      'model.layers.0.self_attn.o_proj.weight': IDENTITY,
      'model.layers.0.post_attention_layernorm.weight': [0.5, 2],
      'model.layers.0.mlp.gate_proj.weight': IDENTITY,
      'model.layers.0.mlp.up_proj.weight': IDENTITY,
      'model.layers.0.mlp.down_proj.weight': [1, 0, 1, 1],
      'model.norm.weight': [1, 1],
      'lm_head.weight': LM_HEAD,
    });
    const r2 = Math.SQRT2;
    // m = norm(x) * [0.5, 2]; gate = up = identity and down [[1, 0], [1, 1]] give
    // y = [a0, a0 + a1] with a_i = silu(m_i) m_i.
    const afterMlp = (x: number[]) => {
      const [n0, n1] = normPair(x);
      const [m0, m1] = [n0! * 0.5, n1! * 2];
      const a0 = silu(m0) * m0;
      const a1 = silu(m1) * m1;
      return [x[0]! + a0, x[1]! + a0 + a1];
    };
    // Position 0 (token 0, e = [1, 0]): normed [√2, 0]; the only value is v0 = [√2, 0].
    const x0 = afterMlp([1 + r2, 0]);
    // Position 1 (token 1, e = [0, 2]): normed [0, √2 / 2]; RoPE turns q1 by 1 radian to
    // [-sin 1, cos 1] √2 / 2. Scores over sqrt(head_dim): q1.k0 / √2 = -sin 1 / √2 and
    // q1.k1 / √2 = 1 / (2√2).
    const p1 = 1 / (1 + Math.exp(-Math.sin(1) / r2 - 1 / (2 * r2)));
    // Values v0 = [√2, 0] and v1 = [1, 1] √2 / 2, mixed (1 - p1) : p1.
    const x1 = afterMlp([r2 * (1 - p1 / 2), 2 + (p1 * r2) / 2]);
    const logits = referenceLogits(config, weights, [0, 1]);
    expectRowsClose(logits, [headLogits(x0), headLogits(x1)], 1e-9);
    // Position 0 worked out on paper: a0 = silu(√2 / 2) √2 / 2 = 0.33488, x = [2.74909, 0.33488].
    expectRowsClose(logits.slice(0, 1), [[1.40384, 0.17101, 1.57484]], 1e-5);
  });

  it('pairs RoPE dimensions i and i + head_dim / 2 and scales scores by 1 / sqrt(head_dim)', () => {
    // head_dim 4 over hidden size 2: frequencies 1 and 100^(-1/2) = 0.1.
    const config = tinyConfig({ head_dim: 4, rope_theta: 100 });
    const widen = [1, 0, 0, 1, 0, 0, 0, 0];
    const weights = weightsOf({
      'model.embed_tokens.weight': EMBEDDING,
      'model.layers.0.input_layernorm.weight': [1, 1],
      'model.layers.0.self_attn.q_proj.weight': widen,
      'model.layers.0.self_attn.k_proj.weight': widen,
      'model.layers.0.self_attn.v_proj.weight': widen,
      'model.layers.0.self_attn.o_proj.weight': [1, 0, 0, 0, 0, 1, 0, 0],
      'model.layers.0.post_attention_layernorm.weight': [1, 1],
      'model.layers.0.mlp.gate_proj.weight': ZERO,
      'model.layers.0.mlp.up_proj.weight': ZERO,
      'model.layers.0.mlp.down_proj.weight': ZERO,
      'model.norm.weight': [1, 1],
      'lm_head.weight': LM_HEAD,
    });
    const r2 = Math.SQRT2;
    // q1 = k1 = [0, √2, 0, 0] turned at frequency 0.1 into [0, √2 cos 0.1, 0, √2 sin 0.1],
    // orthogonal to k0 = [√2, 0, 0, 0]: scores 0 and |q1|^2 / sqrt(4) = 1.
    const p1 = 1 / (1 + Math.exp(-1));
    const expected = [headLogits([1 + r2, 0]), headLogits([(1 - p1) * r2, 2 + p1 * r2])];
    expectRowsClose(referenceLogits(config, weights, [0, 1]), expected, 1e-9);
  });

  it('adds the four attention biases and the three MLP biases once each', () => {
    const config = tinyConfig({ attention_bias: true, mlp_bias: true });
    const [bv, bo, bg, bu, bd] = [
      [0.5, -1],
      [0.25, 0.5],
      [1, -2],
      [3, 4],
      [-1, 1],
    ];
    // Zero q, k, gate and up weights leave only biases: every value is bv, so attention gives
    // o(bv) = bv + bo, and the MLP gives silu(bg) * bu + bd.
    const weights = weightsOf({
      'model.embed_tokens.weight': EMBEDDING,
      'model.layers.0.input_layernorm.weight': [1, 1],
      'model.layers.0.self_attn.q_proj.weight': ZERO,
      'model.layers.0.self_attn.q_proj.bias': [0.3, -0.7],
      'model.layers.0.self_attn.k_proj.weight': ZERO,
      'model.layers.0.self_attn.k_proj.bias': [-0.2, 0.9],
      'model.layers.0.self_attn.v_proj.weight': ZERO,
      'model.layers.0.self_attn.v_proj.bias': bv!,
      'model.layers.0.self_attn.o_proj.weight': IDENTITY,
      'model.layers.0.self_attn.o_proj.bias': bo!,
      'model.layers.0.post_attention_layernorm.weight': [1, 1],
      'model.layers.0.mlp.gate_proj.weight': ZERO,
      'model.layers.0.mlp.gate_proj.bias': bg!,
      'model.layers.0.mlp.up_proj.weight': ZERO,
      'model.layers.0.mlp.up_proj.bias': bu!,
      'model.layers.0.mlp.down_proj.weight': IDENTITY,
      'model.layers.0.mlp.down_proj.bias': bd!,
      'model.norm.weight': [2, 0.5],
      'lm_head.weight': LM_HEAD,
    });
    const shift = [0, 1].map((i) => bv![i]! + bo![i]! + silu(bg![i]!) * bu![i]! + bd![i]!);
    const ids = [2, 0, 1];
    const expected = ids.map((id) =>
      headLogits(
        [0, 1].map((i) => EMBEDDING[id * 2 + i]! + shift[i]!),
        [2, 0.5],
      ),
    );
    expectRowsClose(referenceLogits(config, weights, ids), expected, 1e-9);
  });

  it('uses Qwen2-style q/k/v biases present without a config flag, and refuses an o bias', () => {
    const config = tinyConfig();
    const bv = [0.75, -1.5];
    const tensors = {
      'model.embed_tokens.weight': EMBEDDING,
      'model.layers.0.input_layernorm.weight': [1, 1],
      'model.layers.0.self_attn.q_proj.weight': IDENTITY,
      'model.layers.0.self_attn.q_proj.bias': [0.1, 0.2],
      'model.layers.0.self_attn.k_proj.weight': IDENTITY,
      'model.layers.0.self_attn.k_proj.bias': [-0.3, 0.4],
      'model.layers.0.self_attn.v_proj.weight': ZERO,
      'model.layers.0.self_attn.v_proj.bias': bv,
      'model.layers.0.self_attn.o_proj.weight': IDENTITY,
      'model.layers.0.post_attention_layernorm.weight': [1, 1],
      'model.layers.0.mlp.gate_proj.weight': ZERO,
      'model.layers.0.mlp.up_proj.weight': ZERO,
      'model.layers.0.mlp.down_proj.weight': ZERO,
      'model.norm.weight': [1, 1],
      'lm_head.weight': LM_HEAD,
    };
    const ids = [1, 2];
    // silu(0) * 0 = 0: the MLP adds nothing, attention adds bv at every position.
    const expected = ids.map((id) =>
      headLogits([0, 1].map((i) => EMBEDDING[id * 2 + i]! + bv[i]!)),
    );
    expectRowsClose(referenceLogits(config, weightsOf(tensors), ids), expected, 1e-9);
    const withOBias = weightsOf({ ...tensors, 'model.layers.0.self_attn.o_proj.bias': [1, 1] });
    expect(() => referenceLogits(config, withOBias, ids)).toThrow(
      /"model\.layers\.0\.self_attn\.o_proj\.bias", which a model of this config does not use/,
    );
  });

  it('reads the lm_head from embed_tokens when the embeddings are tied', async () => {
    const folder = await temporaryFolder();
    const config = await writeFixtureCheckpoint(folder, { tieWordEmbeddings: true, layers: 1 });
    const tied = await loadReferenceWeights(folder);
    const untied = new Map(tied).set('lm_head.weight', tied.get('model.embed_tokens.weight')!);
    const ids = fixtureTokens(config.vocab_size, 5);
    expect(
      maxDifference(
        referenceLogits(config, tied, ids),
        referenceLogits({ ...config, tie_word_embeddings: false }, untied, ids),
      ),
    ).toBe(0);
    expect(() => referenceLogits(config, untied, ids)).toThrow(/"lm_head\.weight"/);
  });

  it('refuses missing or misshapen tensors and token ids outside the vocabulary', () => {
    const config = tinyConfig();
    const weights = weightsOf({ 'model.embed_tokens.weight': [1, 2, 3] });
    expect(() => referenceLogits(config, weights, [0])).toThrow(/has 3 values, expected 6/);
    const embeddingOnly = weightsOf({ 'model.embed_tokens.weight': EMBEDDING });
    expect(() => referenceLogits(config, embeddingOnly, [3])).toThrow(/token id 3 is not in 0..2/);
    expect(() => referenceLogits(config, embeddingOnly, [0])).toThrow(
      /lack "model\.layers\.0\.self_attn\.q_proj\.weight"/,
    );
  });
});

describe('RoPE frequencies', () => {
  it('are 1 / theta^(2i / head_dim) without rope_scaling', () => {
    const frequencies = ropeInverseFrequencies(fixtureConfig({ headDim: 16, ropeTheta: 10_000 }));
    expect([...frequencies]).toEqual(Array.from({ length: 8 }, (_, i) => 1 / 10_000 ** (i / 8)));
  });

  it('follow transformers llama3 rescaling in each of its three bands', () => {
    // head_dim 16, theta 10^4, factor 8, low 1, high 4, original context 32: wavelengths
    // below 8 keep their frequency, above 32 are divided by 8, in between are interpolated.
    const variant = FIXTURE_VARIANTS.find((candidate) => candidate.name === 'llama3-rope-bf16')!;
    const fixture = ropeInverseFrequencies(fixtureConfig(variant.options));
    const smooth = (32 / (2 * Math.PI * Math.sqrt(10)) - 1) / (4 - 1);
    const interpolated = 10 ** -0.5 * ((1 - smooth) / 8 + smooth);
    expect(interpolated).toBeCloseTo(0.09583998588296268, 15);
    const expectedFixture = [1, interpolated, 0.0125, 10 ** -1.5 / 8, 0.00125];
    expectedFixture.forEach((value, i) => expect(fixture[i]! / value).toBeCloseTo(1, 14));

    // Llama 3.1 8B's: theta 5e5, head_dim 128, factor 8, low 1, high 4, original context 8192.
    const llama31 = ropeInverseFrequencies(
      parseReferenceConfig({
        vocab_size: 128_256,
        hidden_size: 4096,
        intermediate_size: 14_336,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        max_position_embeddings: 131_072,
        rope_theta: 500_000,
        rope_scaling: {
          rope_type: 'llama3',
          factor: 8,
          low_freq_factor: 1,
          high_freq_factor: 4,
          original_max_position_embeddings: 8192,
        },
      }),
    );
    // Values of transformers' formula in float64; 28 is the last index kept, 35 the first divided.
    const expectedLlama31: Record<number, number> = {
      0: 1,
      20: 0.016560440080994446,
      28: 0.0032114459947525913,
      29: 0.002166570763503359,
      30: 0.001371893567761138,
      33: 0.00031269375038406517,
      34: 0.00017850781276799638,
      35: 9.556212353964683e-5,
      40: 3.428102195952591e-5,
      63: 3.068925988914511e-7,
    };
    expect(llama31).toHaveLength(64);
    for (const [index, value] of Object.entries(expectedLlama31))
      expect(llama31[Number(index)]! / value).toBeCloseTo(1, 14);
  });
});

/** Copies of the weights where down_proj keeps only `neurons`' columns, each times `scale`. */
function keepDownColumns(
  config: ReferenceConfig,
  weights: ReferenceWeights,
  neuronsOfLayer: (layer: number) => readonly number[],
  scale: number,
): Map<string, Float64Array> {
  const copy = new Map(weights);
  const f = config.intermediate_size;
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const name = `model.layers.${layer}.mlp.down_proj.weight`;
    const kept = new Set(neuronsOfLayer(layer));
    copy.set(
      name,
      weights.get(name)!.map((value, index) => (kept.has(index % f) ? value * scale : 0)),
    );
  }
  return copy;
}

async function loadFixture(options: FixtureOptions) {
  const folder = await temporaryFolder();
  const config = await writeFixtureCheckpoint(folder, options);
  return { config, weights: await loadReferenceWeights(folder) };
}

describe('factorised FFN', () => {
  it('equals the dense FFN when every expert is chosen', async () => {
    const { config, weights } = await loadFixture({ mlpBias: true, intermediateSize: 100 });
    const ids = fixtureTokens(config.vocab_size, 6);
    const dense = referenceLogits(config, weights, ids);
    const all = referenceLogits(config, weights, ids, randomFactorisation(config, 3, 3));
    expect(maxDifference(dense, all)).toBeLessThan(1e-12);
    const two = referenceLogits(config, weights, ids, randomFactorisation(config, 3, 2));
    expect(maxDifference(dense, two)).toBeGreaterThan(1e-2);
  });

  it('scales the chosen experts by N / k, adding the down bias once', async () => {
    const { config, weights } = await loadFixture({ mlpBias: true });
    const ids = fixtureTokens(config.vocab_size, 5);
    const random = randomFactorisation(config, 4, 1);
    // A router that always prefers expert 2, by its bias alone.
    const forced: ReferenceFactorisation = {
      topK: 1,
      layers: random.layers.map((layer) => ({
        ...layer,
        routerWeight: new Float64Array(layer.routerWeight.length),
        routerBias: Float64Array.from([0, 0, 5, 0]),
      })),
    };
    const expected = keepDownColumns(
      config,
      weights,
      (layer) => forced.layers[layer]!.experts[2]!,
      4,
    );
    expect(
      maxDifference(
        referenceLogits(config, weights, ids, forced),
        referenceLogits(config, expected, ids),
      ),
    ).toBeLessThan(1e-12);
  });

  it('breaks ties between equally probable experts towards the lower index', async () => {
    const { config, weights } = await loadFixture({});
    const ids = fixtureTokens(config.vocab_size, 5);
    const random = randomFactorisation(config, 3, 2);
    const uniform: ReferenceFactorisation = {
      topK: 2,
      layers: random.layers.map((layer) => ({
        ...layer,
        routerWeight: new Float64Array(layer.routerWeight.length),
        routerBias: new Float64Array(3),
      })),
    };
    const firstTwo = (layer: number) => uniform.layers[layer]!.experts.slice(0, 2).flat();
    const expected = keepDownColumns(config, weights, firstTwo, 3 / 2);
    expect(
      maxDifference(
        referenceLogits(config, weights, ids, uniform),
        referenceLogits(config, expected, ids),
      ),
    ).toBeLessThan(1e-12);
  });

  it('refuses experts that are not a partition, a bad k and a misshapen router', () => {
    const config = fixtureConfig({ intermediateSize: 4, layers: 1, hiddenSize: 8, heads: 2 });
    const layer = {
      experts: [
        [0, 1],
        [2, 3],
      ],
      routerWeight: new Float64Array(16),
      routerBias: new Float64Array(2),
    };
    const check = (factorisation: ReferenceFactorisation) => () =>
      referenceLogits(config, new Map(), [0], factorisation);
    expect(
      check({
        topK: 1,
        layers: [
          {
            ...layer,
            experts: [
              [0, 1],
              [1, 2, 3],
            ],
          },
        ],
      }),
    ).toThrow(/neuron 1 belongs to experts 0 and 1/);
    expect(check({ topK: 1, layers: [{ ...layer, experts: [[0], [2, 3]] }] })).toThrow(
      /neuron 1 belongs to no expert/,
    );
    expect(
      check({
        topK: 1,
        layers: [
          {
            ...layer,
            experts: [
              [0, 1],
              [2, 4],
            ],
          },
        ],
      }),
    ).toThrow(/neuron 4, not in 0..3/);
    expect(check({ topK: 3, layers: [layer] })).toThrow(/topK 3 is not in 1..2/);
    expect(check({ topK: 1, layers: [layer, layer] })).toThrow(/2 layers, the model 1/);
    expect(check({ topK: 1, layers: [{ ...layer, routerBias: new Float64Array(3) }] })).toThrow(
      /router must be \[2, 8\]/,
    );
  });
});

describe('grouped-query attention', () => {
  it('equals full attention whose key/value heads are the shared ones duplicated', async () => {
    const { config, weights } = await loadFixture({ heads: 4, kvHeads: 2, attentionBias: true });
    const group = config.num_attention_heads / config.num_key_value_heads;
    const rowLength = config.head_dim * config.hidden_size;
    const duplicated = new Map(weights);
    for (let layer = 0; layer < config.num_hidden_layers; layer++)
      for (const projection of ['k_proj', 'v_proj'])
        for (const [suffix, headLength] of [
          ['weight', rowLength],
          ['bias', config.head_dim],
        ] as const) {
          const name = `model.layers.${layer}.self_attn.${projection}.${suffix}`;
          const shared = weights.get(name)!;
          const full = new Float64Array(config.num_attention_heads * headLength);
          for (let head = 0; head < config.num_attention_heads; head++) {
            const source = Math.floor(head / group) * headLength;
            full.set(shared.subarray(source, source + headLength), head * headLength);
          }
          duplicated.set(name, full);
        }
    const ids = fixtureTokens(config.vocab_size, 7);
    const full = { ...config, num_key_value_heads: config.num_attention_heads };
    expect(
      maxDifference(referenceLogits(config, weights, ids), referenceLogits(full, duplicated, ids)),
    ).toBeLessThan(1e-12);
  });
});

describe('fixture checkpoints', () => {
  it.each(FIXTURE_VARIANTS)('$name opens and gives finite, spread-out logits', async (variant) => {
    const folder = await temporaryFolder();
    const config = await writeFixtureCheckpoint(folder, variant.options);
    const checkpoint = await Checkpoint.open(folder);
    try {
      // The engine reads config.json as the reference does, Hugging Face defaults included.
      expect(checkpoint.config).toMatchObject(config);
      expect(checkpoint.info('model.norm.weight').dtype).toBe(variant.options.dtype ?? 'F32');
    } finally {
      await checkpoint.close();
    }
    const weights = await loadReferenceWeights(folder);
    const norm = weights.get('model.layers.0.input_layernorm.weight')!;
    expect(Math.min(...norm)).toBeLessThan(0.95);
    expect(Math.max(...norm)).toBeGreaterThan(1.05);
    for (const [name, values] of weights)
      if (name.endsWith('.bias')) expect(values.every((value) => value !== 0)).toBe(true);

    const ids = fixtureTokens(config.vocab_size, 8);
    const logits = referenceLogits(config, weights, ids);
    expect(logits).toHaveLength(8);
    for (const row of logits) {
      expect(row).toHaveLength(config.vocab_size);
      expect(row.every(Number.isFinite)).toBe(true);
      const mean = row.reduce((sum, value) => sum + value, 0) / row.length;
      const std = Math.sqrt(row.reduce((sum, value) => sum + (value - mean) ** 2, 0) / row.length);
      expect(std).toBeGreaterThan(0.5);
      expect(std).toBeLessThan(10);
    }
    // The same token alone and after another: attention must carry the context over.
    const alone = referenceLogits(config, weights, [ids[0]!]);
    const afterAnother = referenceLogits(config, weights, [ids[1]!, ids[0]!]);
    expect(maxDifference(alone, afterAnother.slice(1))).toBeGreaterThan(1e-2);
  });

  it('cover every supported config feature and dtype between them', () => {
    const configs = FIXTURE_VARIANTS.map(({ options }) => ({
      options,
      config: fixtureConfig(options),
    }));
    const some = (test: (entry: (typeof configs)[number]) => boolean) => configs.some(test);
    expect(some(({ config }) => config.num_key_value_heads < config.num_attention_heads)).toBe(
      true,
    );
    expect(
      some(({ config }) => config.head_dim * config.num_attention_heads !== config.hidden_size),
    ).toBe(true);
    expect(some(({ config }) => config.tie_word_embeddings)).toBe(true);
    expect(some(({ config }) => config.attention_bias)).toBe(true);
    expect(some(({ options, config }) => !!options.qkvBias && !config.attention_bias)).toBe(true);
    expect(some(({ config }) => config.mlp_bias)).toBe(true);
    expect(some(({ config }) => config.rope_scaling?.rope_type === 'llama3')).toBe(true);
    expect(some(({ config }) => config.rope_theta !== 10_000)).toBe(true);
    expect(new Set(configs.map(({ config }) => config.rms_norm_eps)).size).toBeGreaterThan(1);
    // config.json without rope_theta or rms_norm_eps: the defaults are part of what is checked.
    expect(some(({ options }) => options.ropeTheta === undefined)).toBe(true);
    expect(some(({ options }) => options.rmsNormEps === undefined)).toBe(true);
    expect(new Set(configs.map(({ options }) => options.dtype ?? 'F32'))).toEqual(
      new Set(['F32', 'F16', 'BF16']),
    );
    expect(new Set(configs.map(({ options }) => options.family ?? 'llama'))).toEqual(
      new Set(['llama', 'mistral', 'qwen2']),
    );
  });
});
