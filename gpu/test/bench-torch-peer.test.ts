import { spawnSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  blasKind,
  referenceBlasRefusal,
  runTorchPeer,
  torchPeerLogits,
  type TorchPeerResult,
  type TorchPeerLogits,
  type TorchPeerLogitsOptions,
} from '../src/bench/torch-peer.ts';
import { parseModelConfig, randomCheckpointEntries, writeCheckpoint } from '../src/index.ts';
import { useTemporaryFolders } from './model/files.ts';
import { FIXTURE_VARIANTS, fixtureTokens, writeFixtureCheckpoint } from './reference/fixtures.ts';
import { loadReferenceWeights, referenceLogits } from './reference/llama-f64.ts';
import { encodeSafetensors, readSafetensorsTensors } from './reference/safetensors-f64.ts';

const temporaryFolder = useTemporaryFolders();

/** Decided here, independently of the code under test, so each branch has its own assertions. */
const torchInstalled = ['python3', '/usr/bin/python3'].some(
  (python) => spawnSync(python, ['-c', 'import numpy, torch'], { timeout: 60_000 }).status === 0,
);

/** GQA, tied embeddings, llama3 RoPE scaling, MLP biases, bf16 storage: each a path of the peer. */
const CONFIG = parseModelConfig(
  {
    vocab_size: 64,
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 64,
    rms_norm_eps: 1e-5,
    tie_word_embeddings: true,
    mlp_bias: true,
    rope_scaling: {
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 16,
    },
  },
  'config.json',
);

async function tinyCheckpoint(): Promise<string> {
  const folder = join(await temporaryFolder(), 'model');
  await writeCheckpoint(folder, CONFIG, randomCheckpointEntries(CONFIG, 3, 'BF16'));
  return folder;
}

async function logits(options: TorchPeerLogitsOptions): Promise<TorchPeerLogits> {
  const result = await torchPeerLogits(options);
  if ('skipped' in result) throw new Error(result.skipped);
  return result;
}

// PyTorch's f32 logits against float64 on the fixtures (logits up to 6-9): measured 1.3-3.9e-6
// with OpenBLAS; 2e-5 leaves 5x (it was 2e-5 of the largest logit, 1.2-1.7e-4).
const PEER_TOLERANCE = 2e-5;

/** The largest |a - b| over rows that must match in number (at least one) and length. */
function largestDifference(a: number[][], b: number[][]): number {
  expect(a.length).toBe(b.length);
  expect(a.length).toBeGreaterThan(0);
  a.forEach((row, t) => expect(row.length).toBe(b[t]!.length));
  return Math.max(...a.flatMap((row, t) => row.map((value, v) => Math.abs(value - b[t]![v]!))));
}

describe('PyTorch peer', () => {
  it.each([
    ['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3', 'optimised'],
    ['/opt/intel/oneapi/mkl/lib/libmkl_rt.so.2', 'optimised'],
    ['/usr/lib/x86_64-linux-gnu/blis-openmp/libblas.so.3', 'optimised'],
    ['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0', 'reference'],
    [null, 'unknown'],
  ] as const)('classifies the BLAS at %s as %s', (path, kind) => {
    expect(blasKind(path)).toBe(kind);
  });

  it('names the fix when it refuses the reference BLAS', () => {
    expect(referenceBlasRefusal('/usr/lib/x86_64-linux-gnu/blas/libblas.so.3')).toBe(
      'PyTorch ran on the reference BLAS (/usr/lib/x86_64-linux-gnu/blas/libblas.so.3), which is ' +
        'no honest peer: install an optimised one (Debian and Ubuntu: apt-get install ' +
        'libopenblas0-pthread) and run again',
    );
  });

  it('is skipped, saying why, when no interpreter it is given exists', async () => {
    const result = await runTorchPeer({
      model: '/nonexistent',
      promptLen: 4,
      genLen: 2,
      batch: 1,
      pythons: ['/nonexistent/python3'],
    });
    expect(result).toEqual({
      skipped: 'no Python with torch and numpy: /nonexistent/python3 is not installed',
    });
  });

  it.skipIf(torchInstalled)(
    'is skipped, saying why, on a machine whose python3 has no torch (not CI, which installs it)',
    async () => {
      const result = await runTorchPeer({
        model: '/nonexistent',
        promptLen: 4,
        genLen: 2,
        batch: 1,
      });
      expect(result).toHaveProperty('skipped');
      expect((result as { skipped: string }).skipped).toMatch(
        /^no Python with torch and numpy: .*(is not installed|cannot import)/,
      );
    },
  );
});

// Registered everywhere, so that a machine without torch reports them as skipped, never as passed.
describe.skipIf(!torchInstalled)('PyTorch peer (needs python3 with torch and numpy)', () => {
  it('times prefill and decode of a checkpoint, dense and factorised', async () => {
    const model = await tinyCheckpoint();
    const dense = await runTorchPeer({ model, promptLen: 8, genLen: 4, batch: 2, repeats: 2 });
    if ('skipped' in dense) {
      // Only on a development machine without OpenBLAS; CI installs it and requires it here.
      expect(process.env.FACTORLAB_REQUIRE_OPENBLAS).not.toBe('1');
      expect(dense.skipped).toMatch(/^PyTorch ran on the reference BLAS/);
      return;
    }
    expect(dense).toMatchObject({
      peer: 'pytorch-eager',
      torch: expect.any(String),
      threads: expect.any(Number),
      repeats: 2,
      prefillTokS: expect.any(Number),
      decodeTokS: expect.any(Number),
      decodeStepMsP50: expect.any(Number),
      decodeStepMsP95: expect.any(Number),
    });
    expect(dense).not.toHaveProperty('speedup');
    // Which BLAS torch multiplied through: Debian's torch takes the system's libblas.so.3.
    const { blas } = dense as { blas: string | null };
    console.log(`PyTorch peer ran on BLAS: ${blas ?? 'none found in /proc/self/maps'}`);
    // CI installs OpenBLAS: a peer on the reference BLAS (25x slower) would be a straw man.
    if (process.env.FACTORLAB_REQUIRE_OPENBLAS === '1') expect(blas).toMatch(/openblas/i);
    // The layout is the faster of the two in its own trial.
    const trial = dense.layoutTrialDecodeTokS!;
    expect(trial.linear).toBeGreaterThan(0);
    expect(dense.layout).toBe(trial.linear >= trial.transposed ? 'linear' : 'transposed');
    const forced = (await runTorchPeer({
      model,
      promptLen: 8,
      genLen: 4,
      batch: 1,
      repeats: 1,
      layout: 'transposed',
    })) as TorchPeerResult;
    expect(forced.layout).toBe('transposed');
    expect(forced).not.toHaveProperty('layoutTrialDecodeTokS');
    const factorised = await runTorchPeer({
      model,
      promptLen: 8,
      genLen: 4,
      batch: 2,
      factorised: { experts: 4, topK: 1 },
    });
    expect(factorised).toMatchObject({
      experts: 4,
      topK: 1,
      denseDecodeTokS: expect.any(Number),
      densePrefillTokS: expect.any(Number),
      speedup: expect.any(Number),
    });
    const result = factorised as { speedup: number; decodeTokS: number; denseDecodeTokS: number };
    expect(result.speedup).toBeCloseTo(result.decodeTokS / result.denseDecodeTokS, 10);
  });

  it('gives the dense logits when every expert is chosen, other logits when fewer are', async () => {
    const model = await tinyCheckpoint();
    const ids = [1, 5, 63, 0, 17, 17, 40];
    const dense = await logits({ model, ids });
    expect(dense.shape).toEqual([ids.length, CONFIG.vocab_size]);
    expect(dense.logits).toHaveLength(ids.length);
    expect(dense.logits.every((row) => row.length === CONFIG.vocab_size)).toBe(true);
    const scale = Math.max(...dense.logits.flat().map(Math.abs));
    expect(scale).toBeGreaterThan(0);

    const allExperts = await logits({ model, ids, factorised: { experts: 3, topK: 3 } });
    expect(largestDifference(allExperts.logits, dense.logits)).toBeLessThan(1e-5 * scale);
    const oneExpert = await logits({ model, ids, factorised: { experts: 3, topK: 1 } });
    expect(largestDifference(oneExpert.logits, dense.logits)).toBeGreaterThan(1e-3 * scale);

    // Weights transposed once (the layout the reference BLAS multiplies faster): same logits.
    const transposed = await logits({ model, ids, layout: 'transposed' });
    expect(largestDifference(transposed.logits, dense.logits)).toBeLessThan(1e-5 * scale);
    const oneTransposed = await logits({
      model,
      ids,
      factorised: { experts: 3, topK: 1 },
      layout: 'transposed',
    });
    expect(largestDifference(oneTransposed.logits, oneExpert.logits)).toBeLessThan(1e-5 * scale);
  });

  for (const { name, options } of FIXTURE_VARIANTS)
    it(`matches the float64 reference forward on ${name}, dense and factorised`, async () => {
      const model = join(await temporaryFolder(), 'model');
      const config = await writeFixtureCheckpoint(model, options);
      const weights = await loadReferenceWeights(model);
      const ids = fixtureTokens(config.vocab_size, 9);
      const expected = referenceLogits(config, weights, ids).map((row) => Array.from(row));
      const dense = await logits({ model, ids });
      expect(largestDifference(dense.logits, expected)).toBeLessThan(PEER_TOLERANCE);

      const experts = 4;
      const f = config.intermediate_size;
      const factorised = await logits({ model, ids, factorised: { experts, topK: 2 } });
      expect(factorised.routers).toHaveLength(config.num_hidden_layers);
      const sequential = Array.from({ length: experts }, (_, j) =>
        Array.from(
          { length: Math.floor(((j + 1) * f) / experts) - Math.floor((j * f) / experts) },
          (_, n) => Math.floor((j * f) / experts) + n,
        ),
      );
      const reference = referenceLogits(config, weights, ids, {
        topK: 2,
        layers: factorised.routers!.map((router) => ({
          experts: sequential,
          routerWeight: Float64Array.from(router.flat()),
          routerBias: new Float64Array(experts),
        })),
      }).map((row) => Array.from(row));
      expect(largestDifference(factorised.logits, reference)).toBeLessThan(PEER_TOLERANCE);
    });

  it('reads a checkpoint sharded with model.safetensors.index.json', async () => {
    const model = join(await temporaryFolder(), 'model');
    const config = await writeFixtureCheckpoint(model, { heads: 4, kvHeads: 2 });
    const tensors = await readSafetensorsTensors(join(model, 'model.safetensors'));
    await rm(join(model, 'model.safetensors'));
    const weightMap: Record<string, string> = {};
    for (const [shard, part] of [tensors.slice(0, 5), tensors.slice(5)].entries()) {
      const file = `model-0000${shard + 1}-of-00002.safetensors`;
      await writeFile(join(model, file), encodeSafetensors(part));
      for (const { name } of part) weightMap[name] = file;
    }
    await writeFile(
      join(model, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const ids = fixtureTokens(config.vocab_size, 5);
    const expected = referenceLogits(config, await loadReferenceWeights(model), ids);
    const { logits: actual } = await logits({ model, ids });
    expect(
      largestDifference(
        actual,
        expected.map((row) => Array.from(row)),
      ),
    ).toBeLessThan(PEER_TOLERANCE);
  });

  it('fails naming the problem when the checkpoint is not there', async () => {
    const missing = join(await temporaryFolder(), 'none');
    await expect(
      runTorchPeer({ model: missing, promptLen: 4, genLen: 2, batch: 1 }),
    ).rejects.toThrow(`the PyTorch peer failed: ${join(missing, 'config.json')}: file not found`);
  });

  it('refuses a top-k above the number of experts', async () => {
    const model = await tinyCheckpoint();
    await expect(
      torchPeerLogits({ model, ids: [1], factorised: { experts: 2, topK: 3 } }),
    ).rejects.toThrow('the PyTorch peer failed: --top-k 3: must be between 1 and --experts (2)');
  });
});
