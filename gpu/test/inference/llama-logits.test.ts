import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  acquireGpu,
  LlamaModel,
  packTokens,
  type Gpu,
  type SequenceChunk,
} from '../../src/index.ts';
import type { ExpertWeights } from '../../src/ops/fused/experts.ts';
import { groupsTokensByExpert } from '../../src/ops/fused/grouped-experts.ts';
import { attendsByMatmul } from '../../src/ops/fused/prefill-attention.ts';
import { loadLlamaWeights, weightTensors } from '../../src/inference/llama-weights.ts';
import { Checkpoint } from '../../src/model/checkpoint.ts';
import { engineFor } from '../../src/runtime/engine.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { asEngineLayers, roundedRouters } from '../reference/engine-factorisation.ts';
import {
  FIXTURE_VARIANTS,
  fixtureTokens,
  randomFactorisation,
  writeFixtureCheckpoint,
  type FixtureOptions,
} from '../reference/fixtures.ts';
import { loadReferenceWeights, referenceLogits } from '../reference/llama-f64.ts';
import { encodeSafetensors, readSafetensorsTensors } from '../reference/safetensors-f64.ts';

const temporaryFolder = useTemporaryFolders();
let gpu: Gpu;

beforeAll(async () => {
  gpu = await acquireGpu();
});

/** Logits of the engine for sequences run together, each as [T][vocab]. */
async function engineLogits(model: LlamaModel, chunks: SequenceChunk[]): Promise<number[][][]> {
  const cache = model.createCache(chunks.length, 64);
  try {
    const batch = packTokens(chunks);
    const flat = await model.forward(batch, cache, 'all').read();
    const vocabulary = model.config.vocab_size;
    let row = 0;
    return chunks.map(({ ids }) =>
      ids.map(() => Array.from(flat.subarray(row * vocabulary, ++row * vocabulary))),
    );
  } finally {
    cache.dispose();
  }
}

/** Prefill of the first `prefill` tokens, then one decode step per remaining token. */
async function decodedLogits(
  model: LlamaModel,
  ids: number[],
  prefill: number,
): Promise<number[][]> {
  const cache = model.createCache(1, 64);
  const vocabulary = model.config.vocab_size;
  const rows: number[][] = [];
  try {
    const first = await model
      .forward(packTokens([{ slot: 0, start: 0, ids: ids.slice(0, prefill) }]), cache, 'all')
      .read();
    for (let row = 0; row < prefill; row++)
      rows.push(Array.from(first.subarray(row * vocabulary, (row + 1) * vocabulary)));
    for (let position = prefill; position < ids.length; position++) {
      const step = packTokens([{ slot: 0, start: position, ids: [ids[position]!] }]);
      rows.push(Array.from(await model.forward(step, cache, 'last').read()));
    }
    return rows;
  } finally {
    cache.dispose();
  }
}

function maxDifference(
  actual: readonly (readonly number[])[],
  expected: readonly ArrayLike<number>[],
): number {
  expect(actual.length).toBe(expected.length);
  let largest = 0;
  actual.forEach((row, index) => {
    const reference = expected[index]!;
    expect(row.length).toBe(reference.length);
    row.forEach((value, column) => {
      largest = Math.max(largest, Math.abs(value - reference[column]!));
    });
  });
  return largest;
}

async function fixture(options: FixtureOptions) {
  const directory = join(await temporaryFolder(), 'model');
  const config = await writeFixtureCheckpoint(directory, options);
  return { directory, config, weights: await loadReferenceWeights(directory) };
}

// 11 tokens take the tiled matmul path; the decode steps take the matrix-vector kernels.
const PROMPT_LENGTH = 11;
// Largest |engine - float64| measured on lavapipe, both kernel families: 1.8-3.6e-6 on 11-token
// prompts, 4.4-6.7e-6 on 40 tokens (lane-blocked, factorised, bf16 and f16 weights), 1.2e-5 on
// the 400-token prefill. 5e-5 leaves 4x over the largest for other GPUs' summation orders; a
// wrong rms_norm_eps (1e-5 for 1e-6) or rope_theta moves the logits by more (see below).
const TOLERANCE = 5e-5;
// Two engine computations of the same logits (K = N experts against dense: measured 1.9-2.1e-6;
// a sequence in a ragged batch against alone, and f16 weights against widened: 0, the same sums
// on lavapipe). 1e-5 allows another summation order on other GPUs.
const ENGINE_AGREEMENT = 1e-5;
// Widths no kernel can read as vec4s: hidden 42, head size 14, intermediate 70.
const ODD_WIDTHS = {
  name: 'odd-widths-f32',
  options: { hiddenSize: 42, heads: 3, kvHeads: 1, intermediateSize: 70 },
};
// Both kernel families run on whatever adapter the tests have.
const TARGETS = ['cpu', 'gpu'] as const;

describe('Llama forward pass against the float64 reference', () => {
  for (const { name, options } of [...FIXTURE_VARIANTS, ODD_WIDTHS]) {
    it.each(TARGETS)(
      `${name}: prefill and KV-cache decode logits match (%s kernels)`,
      async (kernelTarget) => {
        const { directory, config, weights } = await fixture(options);
        const ids = fixtureTokens(config.vocab_size, PROMPT_LENGTH, 3);
        const expected = referenceLogits(config, weights, ids);
        const model = await LlamaModel.open(gpu, directory, { kernelTarget });
        try {
          const [prefilled] = await engineLogits(model, [{ slot: 0, start: 0, ids }]);
          expect(maxDifference(prefilled!, expected)).toBeLessThan(TOLERANCE);
          expect(maxDifference(await decodedLogits(model, ids, 3), expected)).toBeLessThan(
            TOLERANCE,
          );
        } finally {
          model.dispose();
        }
      },
    );
  }

  // The fixture's config.json leaves rms_norm_eps and rope_theta to Hugging Face's defaults (1e-6,
  // 10^4). An engine that read them otherwise (here: the config says so) must fail TOLERANCE.
  it.each([
    ['rms_norm_eps', 1e-5],
    ['rope_theta', 500_000],
  ] as const)(
    'the tolerance catches an engine whose %s is %d instead of the default',
    async (key, wrong) => {
      const { directory, config, weights } = await fixture(FIXTURE_VARIANTS[0]!.options);
      const ids = fixtureTokens(config.vocab_size, PROMPT_LENGTH, 3);
      const expected = referenceLogits(config, weights, ids);
      const json = JSON.parse(await readFile(join(directory, 'config.json'), 'utf8')) as object;
      expect(json).not.toHaveProperty(key);
      const perturbed = join(await temporaryFolder(), 'perturbed');
      await mkdir(perturbed);
      await writeFile(join(perturbed, 'config.json'), JSON.stringify({ ...json, [key]: wrong }));
      await copyFile(join(directory, 'model.safetensors'), join(perturbed, 'model.safetensors'));
      const faithful = await LlamaModel.open(gpu, directory);
      const wrongModel = await LlamaModel.open(gpu, perturbed);
      try {
        const [right] = await engineLogits(faithful, [{ slot: 0, start: 0, ids }]);
        const [off] = await engineLogits(wrongModel, [{ slot: 0, start: 0, ids }]);
        expect(maxDifference(right!, expected)).toBeLessThan(TOLERANCE);
        expect(maxDifference(off!, expected)).toBeGreaterThan(2 * TOLERANCE);
      } finally {
        faithful.dispose();
        wrongModel.dispose();
      }
    },
  );

  // Embeddings and LM head over the binding limit are kept in blocks of rows (Llama 3's vocabulary
  // on lavapipe); a lowered limit splits these small ones into 4 blocks, the last one short.
  const SPLIT_VARIANTS = [FIXTURE_VARIANTS[0]!, FIXTURE_VARIANTS[1]!, FIXTURE_VARIANTS[4]!];
  it.each(
    TARGETS.flatMap((target) =>
      SPLIT_VARIANTS.map(({ name, options }) => [name, target, options] as const),
    ),
  )(
    '%s: embeddings and LM head split into blocks of rows match the reference (%s kernels)',
    async (_, kernelTarget, options) => {
      const { directory, config, weights } = await fixture(options);
      const blockRows = Math.ceil(config.vocab_size / 4) + 1;
      const elementBytes = options.dtype === undefined ? 4 : 2;
      const maxBindingBytes = blockRows * config.hidden_size * elementBytes;
      const checkpoint = await Checkpoint.open(directory);
      try {
        const loaded = await loadLlamaWeights(
          engineFor(gpu),
          checkpoint,
          undefined,
          'stored',
          kernelTarget === 'cpu',
          maxBindingBytes,
        );
        const blocks = loaded.embeddings.blocks.map((block) => block.shape[0]);
        expect(blocks).toEqual([
          blockRows,
          blockRows,
          blockRows,
          config.vocab_size - 3 * blockRows,
        ]);
        expect(loaded.lmHead.blocks).toHaveLength(4);
        for (const tensor of weightTensors(loaded)) tensor.dispose();
      } finally {
        await checkpoint.close();
      }
      const ids = fixtureTokens(config.vocab_size, PROMPT_LENGTH, 12);
      const expected = referenceLogits(config, weights, ids);
      const model = await LlamaModel.open(gpu, directory, { kernelTarget, maxBindingBytes });
      try {
        const [prefilled] = await engineLogits(model, [{ slot: 0, start: 0, ids }]);
        expect(maxDifference(prefilled!, expected)).toBeLessThan(TOLERANCE);
        expect(maxDifference(await decodedLogits(model, ids, 3), expected)).toBeLessThan(TOLERANCE);
      } finally {
        model.dispose();
      }
    },
  );

  // 40 tokens are enough rows for the windowed matmul, which reads the CPU family's lane-blocked
  // weights as it packs them (fewer take row-streaming launches of up to 8 tokens).
  it.each(
    [FIXTURE_VARIANTS[0]!, FIXTURE_VARIANTS[3]!, FIXTURE_VARIANTS[4]!].map((v) => [v.name, v]),
  )(
    '%s: a 40-token prompt through lane-blocked weights matches the reference (cpu kernels)',
    async (_, { options }) => {
      const { directory, config, weights } = await fixture(options);
      const ids = fixtureTokens(config.vocab_size, 40, 21);
      const expected = referenceLogits(config, weights, ids);
      const model = await LlamaModel.open(gpu, directory, { kernelTarget: 'cpu' });
      try {
        const [prefilled] = await engineLogits(model, [{ slot: 0, start: 0, ids }]);
        expect(maxDifference(prefilled!, expected)).toBeLessThan(TOLERANCE);
        expect(maxDifference(await decodedLogits(model, ids, 38), expected)).toBeLessThan(
          TOLERANCE,
        );
      } finally {
        model.dispose();
      }
    },
  );

  // Runs of 192+ new tokens attend by matmuls on the cpu kernels (prefill-attention.ts): a run
  // that continues a cached sequence, and two sequences in one ragged batch.
  it('long prefill runs attend by matmuls: a continued sequence and a ragged batch (cpu kernels)', async () => {
    const { directory, config, weights } = await fixture(FIXTURE_VARIANTS[0]!.options);
    const ids = fixtureTokens(config.vocab_size, 400, 23);
    const expected = referenceLogits(config, weights, ids);
    const model = await LlamaModel.open(gpu, directory, { kernelTarget: 'cpu' });
    const cache = model.createCache(2, 400);
    const vocabulary = config.vocab_size;
    const rowsOf = (flat: Float32Array, from: number, count: number) =>
      Array.from({ length: count }, (_, row) =>
        Array.from(flat.subarray((from + row) * vocabulary, (from + row + 1) * vocabulary)),
      );
    try {
      const first = await model
        .forward(packTokens([{ slot: 0, start: 0, ids: ids.slice(0, 200) }]), cache, 'all')
        .read();
      const second = await model
        .forward(packTokens([{ slot: 0, start: 200, ids: ids.slice(200) }]), cache, 'all')
        .read();
      expect(maxDifference(rowsOf(first, 0, 200), expected.slice(0, 200))).toBeLessThan(TOLERANCE);
      expect(maxDifference(rowsOf(second, 0, 200), expected.slice(200))).toBeLessThan(TOLERANCE);
      const other = fixtureTokens(config.vocab_size, 193, 24);
      const both = await model
        .forward(
          packTokens([
            { slot: 1, start: 0, ids: other },
            { slot: 0, start: 0, ids: ids.slice(0, 197) },
          ]),
          cache,
          'all',
        )
        .read();
      const otherExpected = referenceLogits(config, weights, other);
      expect(maxDifference(rowsOf(both, 0, 193), otherExpected)).toBeLessThan(TOLERANCE);
      expect(maxDifference(rowsOf(both, 193, 197), expected.slice(0, 197))).toBeLessThan(TOLERANCE);
    } finally {
      cache.dispose();
      model.dispose();
    }
  });

  it('an LM head of over 4 M values is lane-blocked a chunk of rows at a time (cpu kernels)', async () => {
    const { directory, config, weights } = await fixture({
      vocabSize: 33_000,
      hiddenSize: 128,
      intermediateSize: 64,
      heads: 4,
      kvHeads: 2,
    });
    const ids = fixtureTokens(config.vocab_size, 5, 31);
    const expected = referenceLogits(config, weights, ids);
    const model = await LlamaModel.open(gpu, directory, { kernelTarget: 'cpu' });
    try {
      expect(maxDifference(await decodedLogits(model, ids, 2), expected)).toBeLessThan(TOLERANCE);
    } finally {
      model.dispose();
    }
  });

  // 72 neurons make experts of 18 (scalar kernels); 96 make experts of 24 (vec4 kernels). At 96,
  // prefill's 22 or 80 (token, expert) pairs group by expert (grouped-experts.ts: tiles of 8, the
  // last of each expert partial), decoding's 2 do not.
  it.each(
    TARGETS.flatMap((target) =>
      [
        [72, PROMPT_LENGTH],
        [96, PROMPT_LENGTH],
        [96, 40],
      ].map(([width, tokens]) => [target, width!, tokens!] as const),
    ),
  )(
    'a factorised model (4 experts, top-2, given routers) matches the reference (%s kernels, f = %i, %i tokens)',
    async (kernelTarget, intermediateSize, promptLength) => {
      const { directory, config, weights } = await fixture({
        ...FIXTURE_VARIANTS[1]!.options,
        intermediateSize,
      });
      const factorisation = roundedRouters(randomFactorisation(config, 4, 2, 5));
      const ids = fixtureTokens(config.vocab_size, promptLength, 4);
      const expected = referenceLogits(config, weights, ids, factorisation);
      const dense = referenceLogits(config, weights, ids);
      // The check is meaningful only if dropping experts changed the logits.
      expect(
        maxDifference(
          dense.map((row) => Array.from(row)),
          expected,
        ),
      ).toBeGreaterThan(1e-2);
      const model = await LlamaModel.open(gpu, directory, {
        expertLayers: { topK: 2, layers: asEngineLayers(factorisation) },
        kernelTarget,
      });
      try {
        const [prefilled] = await engineLogits(model, [{ slot: 0, start: 0, ids }]);
        expect(maxDifference(prefilled!, expected)).toBeLessThan(TOLERANCE);
        expect(maxDifference(await decodedLogits(model, ids, 2), expected)).toBeLessThan(TOLERANCE);
      } finally {
        model.dispose();
      }
    },
  );

  it('attends by matmuls on the cpu kernels when every run has 192+ new tokens', () => {
    const layout = { heads: 4, kvHeads: 2, headSize: 16 };
    const run = (length: number) => ({ slot: 0, start: 0, row: 0, length });
    expect(attendsByMatmul('cpu', layout, [run(192), run(200)])).toBe(true);
    expect(attendsByMatmul('cpu', layout, [run(192), run(191)])).toBe(false);
    expect(attendsByMatmul('gpu', layout, [run(512)])).toBe(false);
    expect(attendsByMatmul('cpu', { ...layout, headSize: 14 }, [run(512)])).toBe(false);
  });

  it('groups tokens by expert for prefill-sized batches of vec4-shaped experts only', () => {
    const experts = (vectors: boolean) => ({ vectors, topK: 2 }) as ExpertWeights;
    expect(groupsTokensByExpert(experts(true), 8)).toBe(true);
    expect(groupsTokensByExpert(experts(true), 7)).toBe(false);
    expect(groupsTokensByExpert(experts(false), 512)).toBe(false);
  });

  for (const split of ['sequential', 'random', 'kmeans'] as const) {
    it(`with K = N (${split} split) the factorised logits equal the dense ones`, async () => {
      const { directory, config } = await fixture(FIXTURE_VARIANTS[0]!.options);
      const ids = fixtureTokens(config.vocab_size, PROMPT_LENGTH, 6);
      const dense = await LlamaModel.open(gpu, directory);
      const factorised = await LlamaModel.open(gpu, directory, {
        factorisation: { experts: 4, topK: 4, split, seed: 3 },
      });
      try {
        const [denseLogits] = await engineLogits(dense, [{ slot: 0, start: 0, ids }]);
        const [factorisedLogits] = await engineLogits(factorised, [{ slot: 0, start: 0, ids }]);
        expect(
          maxDifference(
            factorisedLogits!,
            denseLogits!.map((row) => Float64Array.from(row)),
          ),
        ).toBeLessThan(ENGINE_AGREEMENT);
      } finally {
        dense.dispose();
        factorised.dispose();
      }
    });
  }

  it('a ragged batch gives each sequence the logits it has alone', async () => {
    const { directory, config } = await fixture(FIXTURE_VARIANTS[2]!.options);
    const sequences = [3, 12, 1].map((length, index) =>
      fixtureTokens(config.vocab_size, length, 10 + index),
    );
    const model = await LlamaModel.open(gpu, directory);
    try {
      const together = await engineLogits(
        model,
        sequences.map((ids, slot) => ({ slot, start: 0, ids })),
      );
      for (const [index, ids] of sequences.entries()) {
        const [alone] = await engineLogits(model, [{ slot: 0, start: 0, ids }]);
        expect(
          maxDifference(
            together[index]!,
            alone!.map((row) => Float64Array.from(row)),
          ),
        ).toBeLessThan(ENGINE_AGREEMENT);
      }
    } finally {
      model.dispose();
    }
  });
});

describe('half-precision checkpoints', () => {
  it.each(['F16', 'BF16'] as const)(
    '%s matrices stay f16 on the GPU: half the bytes, the same logits as widened to f32',
    async (dtype) => {
      const { directory, config } = await fixture({ ...FIXTURE_VARIANTS[0]!.options, dtype });
      const ids = fixtureTokens(config.vocab_size, PROMPT_LENGTH, 8);
      const half = await LlamaModel.open(gpu, directory);
      const widened = await LlamaModel.open(gpu, directory, { weights: 'f32' });
      try {
        // Norm weights stay f32, so slightly over half.
        expect(half.weightBytes / widened.weightBytes).toBeGreaterThan(0.5);
        expect(half.weightBytes / widened.weightBytes).toBeLessThan(0.52);
        const [halfLogits] = await engineLogits(half, [{ slot: 0, start: 0, ids }]);
        const [widenedLogits] = await engineLogits(widened, [{ slot: 0, start: 0, ids }]);
        expect(
          maxDifference(
            halfLogits!,
            widenedLogits!.map((row) => Float64Array.from(row)),
          ),
        ).toBeLessThan(ENGINE_AGREEMENT);
      } finally {
        half.dispose();
        widened.dispose();
      }
    },
  );
});

describe('a BF16 LM head with a value past f16 range', () => {
  it('is kept in f32 (the lane-blocked load starts over) and its logits still match', async () => {
    const source = await fixture({ ...FIXTURE_VARIANTS[0]!.options, dtype: 'BF16' });
    const directory = join(await temporaryFolder(), 'outlier');
    const tensors = await readSafetensorsTensors(join(source.directory, 'model.safetensors'));
    tensors.find(({ name }) => name === 'lm_head.weight')!.values[5] = 70_000;
    await mkdir(directory);
    await copyFile(join(source.directory, 'config.json'), join(directory, 'config.json'));
    await writeFile(join(directory, 'model.safetensors'), encodeSafetensors(tensors));
    const weights = await loadReferenceWeights(directory);
    const ids = fixtureTokens(source.config.vocab_size, 4, 41);
    const expected = referenceLogits(source.config, weights, ids);
    const half = await LlamaModel.open(gpu, source.directory, { kernelTarget: 'cpu' });
    const outlier = await LlamaModel.open(gpu, directory, { kernelTarget: 'cpu' });
    try {
      // The LM head alone went to f32: its f16 bytes once more.
      const { vocab_size: vocabulary, hidden_size: hidden } = source.config;
      const padded = Math.ceil(vocabulary / 32) * 32;
      expect(outlier.weightBytes - half.weightBytes).toBe(padded * hidden * 2);
      // Row 0 meets the 70,000 weight: compare it relative to its size, the others absolutely.
      const rows = await decodedLogits(outlier, ids, 2);
      expect(rows).toHaveLength(ids.length);
      rows.forEach((row, position) => {
        const reference = expected[position]!;
        expect(Math.abs(row[0]! - reference[0]!)).toBeLessThan(
          1e-5 * Math.abs(reference[0]!) + 1e-3,
        );
        expect(maxDifference([row.slice(1)], [reference.slice(1)])).toBeLessThan(TOLERANCE);
      });
    } finally {
      half.dispose();
      outlier.dispose();
    }
  });
});

describe('forward pass input checks', () => {
  it('refuses ids outside the vocabulary and positions past the cache', async () => {
    const { directory, config } = await fixture(FIXTURE_VARIANTS[0]!.options);
    const model = await LlamaModel.open(gpu, directory);
    const cache = model.createCache(1, 4);
    try {
      expect(() =>
        model.forward(packTokens([{ slot: 0, start: 0, ids: [config.vocab_size] }]), cache, 'all'),
      ).toThrow(
        `token id ${config.vocab_size} is outside the vocabulary (vocab_size ${config.vocab_size}`,
      );
      expect(() =>
        model.forward(packTokens([{ slot: 0, start: 3, ids: [1, 2] }]), cache, 'all'),
      ).toThrow('positions up to 5 exceed the KV cache capacity of 4');
      expect(() =>
        model.forward(packTokens([{ slot: 1, start: 0, ids: [1] }]), cache, 'all'),
      ).toThrow("a sequence's slot is outside the KV cache's 1 slots");
    } finally {
      cache.dispose();
      model.dispose();
    }
  });

  it('refuses a factorisation that is not a partition of the FFN neurons', async () => {
    const { directory, config } = await fixture(FIXTURE_VARIANTS[0]!.options);
    const layers = asEngineLayers(randomFactorisation(config, 2, 1, 1));
    layers[1]!.experts[0]!.push(layers[1]!.experts[1]![0]!);
    await expect(
      LlamaModel.open(gpu, directory, { expertLayers: { topK: 1, layers } }),
    ).rejects.toThrow(/model\.layers\.1: neuron \d+ of expert 1 is out of range or owned twice/);
  });
});
