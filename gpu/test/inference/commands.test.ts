import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeByteTokenizer, type DeviceInfo } from '../../src/index.ts';
import { useTemporaryFolders } from '../model/files.ts';
import { FIXTURE_VARIANTS, writeFixtureCheckpoint } from '../reference/fixtures.ts';
import { referenceSpeedupBound } from '../reference/speed-bound-f64.ts';
import { loadReferenceWeights, referenceLogits } from '../reference/llama-f64.ts';
import { encodeSafetensors, readSafetensorsTensors } from '../reference/safetensors-f64.ts';

const temporaryFolder = useTemporaryFolders();

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `lab` in a child process (asynchronously, so the test's own GPU work is not blocked). */
function lab(...args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['api/bin/lab.js', ...args], { timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** stderr without Dawn's adapter-limit notices, which every GPU process prints. */
function errors(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !line.startsWith('Warning:'));
}

// The engine's logits are within 2-3e-6 of float64 on 10-token prompts (measured on lavapipe);
// printed as JSON they keep every digit. 5e-5 is the margin llama-logits.test.ts explains.
const LOGITS_TOLERANCE = 5e-5;

/** The largest |actual - expected| over rows that must match in number and length. */
function largestDifference(
  actual: readonly (readonly number[])[],
  expected: readonly ArrayLike<number>[],
): number {
  expect(actual.length).toBe(expected.length);
  expect(actual.length).toBeGreaterThan(0);
  let largest = 0;
  actual.forEach((row, index) => {
    expect(row.length).toBe(expected[index]!.length);
    row.forEach((value, column) => {
      largest = Math.max(largest, Math.abs(value - expected[index]![column]!));
    });
  });
  return largest;
}

async function fixtureModel(withTokenizer = false) {
  const directory = join(await temporaryFolder(), 'model');
  const options = withTokenizer
    ? { ...FIXTURE_VARIANTS[0]!.options, vocabSize: 300 }
    : FIXTURE_VARIANTS[0]!.options;
  const config = await writeFixtureCheckpoint(directory, options);
  if (withTokenizer) await writeByteTokenizer(directory);
  return { directory, config };
}

describe('lab logits', () => {
  it('refuses a NaN weight naming the tensor, and with --keep-non-finite warns and prints null', async () => {
    const { directory } = await fixtureModel();
    const file = join(directory, 'model.safetensors');
    const poisoned = 'model.layers.0.mlp.down_proj.weight';
    const tensors = (await readSafetensorsTensors(file)).map((tensor) =>
      tensor.name === poisoned
        ? { ...tensor, values: Float64Array.from(tensor.values, (v, i) => (i === 5 ? NaN : v)) }
        : tensor,
    );
    await writeFile(file, encodeSafetensors(tensors));
    const refused = await lab('logits', '--model', directory, '--ids', '1,2');
    expect(refused.status).not.toBe(0);
    expect(errors(refused.stderr)).toEqual([
      `error: ${file}: tensor "${poisoned}" holds NaN at element 5 of ${tensors.find((t) => t.name === poisoned)!.values.length}: weights must be finite (the checkpoint is corrupt or its training diverged; use an earlier or re-exported checkpoint)`,
    ]);
    const kept = await lab('logits', '--model', directory, '--ids', '1,2', '--keep-non-finite');
    expect(kept.status).toBe(0);
    expect(errors(kept.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^warning: .*tensor "${poisoned}" holds NaN at element 5 of \\d+, kept as asked`,
        ),
      ),
    ]);
    const output = JSON.parse(kept.stdout) as { logits: (number | null)[][] };
    expect(output.logits.flat()).toContain(null);
  });

  it('prints every position as {"shape", "logits"}, matching the reference; K = N equals dense', async () => {
    const { directory, config } = await fixtureModel();
    const ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    const dense = await lab('logits', '--model', directory, '--ids', ids.join(','));
    expect(errors(dense.stderr)).toEqual([]);
    expect(dense.status).toBe(0);
    const output = JSON.parse(dense.stdout) as { shape: number[]; logits: number[][] };
    expect(output.shape).toEqual([ids.length, config.vocab_size]);
    const expected = referenceLogits(config, await loadReferenceWeights(directory), ids);
    expect(largestDifference(output.logits, expected)).toBeLessThan(LOGITS_TOLERANCE);
    const factorised = await lab(
      'logits',
      '--model',
      directory,
      '--ids',
      ids.join(','),
      '--experts',
      '4',
      '--top-k',
      '4',
      '--split',
      'kmeans',
    );
    expect(factorised.status).toBe(0);
    const factorisedLogits = (JSON.parse(factorised.stdout) as { logits: number[][] }).logits;
    // The same f32 sums grouped by expert: measured 2.1e-6 apart at most (llama-logits.test.ts).
    expect(largestDifference(factorisedLogits, output.logits)).toBeLessThan(1e-5);
  });

  it('refuses bad flags and folders with one error line', async () => {
    const { directory, config } = await fixtureModel();
    const cases: [string[], string][] = [
      [['--ids', '1,2', '--experts', '4'], '--experts and --top-k go together'],
      [
        ['--ids', '1,2', '--experts', '4', '--top-k', '5'],
        '--top-k: must be at most the number of experts',
      ],
      [['--ids', '1,x'], '--ids must be non-negative integers separated by commas, got "1,x"'],
      // An empty item is not token 0.
      [['--ids', '1,,2'], '--ids must be non-negative integers separated by commas, got "1,,2"'],
      // Past 2^31 an id would wrap to a negative 32-bit one that the vocabulary check let through.
      [['--ids', `1,${2 ** 31}`], `token id ${2 ** 31} is not an integer from 0 to ${2 ** 31 - 1}`],
      [['--ids', `1,${2 ** 32 + 3}`], `token id ${2 ** 32 + 3} is not an integer from 0`],
      [
        ['--ids', `1,${config.vocab_size}`],
        `token id ${config.vocab_size} is outside the vocabulary`,
      ],
      [['--ids', '1,2', '--cpu-threads', '0'], '--cpu-threads must be at least 1, got 0'],
    ];
    for (const [flags, message] of cases) {
      const outcome = await lab('logits', '--model', directory, ...flags);
      expect(outcome.status, flags.join(' ')).toBe(1);
      expect(outcome.stdout).toBe('');
      const lines = errors(outcome.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`error: ${message}`);
    }
    const missing = await lab('logits', '--model', join(directory, 'absent'), '--ids', '1');
    expect(missing.status).toBe(1);
    expect(errors(missing.stderr)).toEqual([
      expect.stringMatching(/^error: .*absent.*config\.json/),
    ]);
  });
});

describe('lab generate', () => {
  it('continues a prompt greedily with the checkpoint tokenizer, the same way twice', async () => {
    const { directory } = await fixtureModel(true);
    const run = (...flags: string[]) =>
      lab(
        'generate',
        '--model',
        directory,
        '--prompt',
        'Hello, world',
        '--max-new-tokens',
        '6',
        ...flags,
      );
    const first = await run();
    expect(errors(first.stderr).filter((line) => !line.endsWith('tokens generated'))).toEqual([]);
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/[1-6] tokens generated/);
    expect((await run()).stdout).toBe(first.stdout);
    // lavapipe computing inline, on its submitting thread, gives the same tokens.
    expect((await run('--cpu-threads', '1')).stdout).toBe(first.stdout);
  });
});

describe('lab bench --model', () => {
  it('prints prefill and decode speed, the dense figure, the speedup and its bound as JSON', async () => {
    const { directory, config } = await fixtureModel();
    const outcome = await lab(
      'bench',
      '--model',
      directory,
      '--experts',
      '4',
      '--top-k',
      '1',
      '--prompt-len',
      '9',
      '--gen-len',
      '4',
      '--batch',
      '2',
      '--repeats',
      '1',
      '--cpu-threads',
      '1',
      '--json',
    );
    expect(outcome.status).toBe(0);
    const result = JSON.parse(outcome.stdout) as Record<string, number> & { adapter: DeviceInfo };
    // The benchmark records the threads lavapipe computed on.
    if (/llvmpipe/.test(result.adapter.description)) expect(result.adapter.cpuThreads).toBe(1);
    for (const key of ['prefillTokS', 'decodeTokS', 'denseDecodeTokS', 'speedup', 'bound'])
      expect(result[key], key).toBeGreaterThan(0);
    expect(result.speedup).toBeCloseTo(result.decodeTokS! / result.denseDecodeTokS!, 10);
    expect(result.bound).toBeCloseTo(referenceSpeedupBound(config, 4, 1), 10);
    expect(result.decodeStepMsP95).toBeGreaterThanOrEqual(result.decodeStepMsP50!);
    // A step of both sequences reads the weights once: GB/s is its bytes times steps/s.
    expect(result.decodeGbS).toBeCloseTo((result.stepBytes! * (result.decodeTokS! / 2)) / 1e9, 9);
    expect(result.stepBytes).toBeLessThan(result.denseStepBytes!);
    if (/llvmpipe/.test(result.adapter.description)) {
      expect(result.readGbS).toBeGreaterThan(0);
      expect(result.bandwidthShare).toBeCloseTo(result.decodeGbS! / result.readGbS!, 9);
    }
  });
});

describe('lab bench kernels', () => {
  it('takes its own --json beside the parent bench command', async () => {
    const outcome = await lab('bench', 'kernels', '--json', '--sizes', '32', '--repeats', '1');
    expect(outcome.status).toBe(0);
    const result = JSON.parse(outcome.stdout) as {
      adapter: { description: string };
      matmul: { n: number; dtype: string; gflops: number }[];
      fmaCeilingGflops: number;
    };
    expect(result.adapter.description).toBeTruthy();
    expect(result.matmul.some(({ n, dtype }) => n === 32 && dtype === 'f32')).toBe(true);
    expect(result.fmaCeilingGflops).toBeGreaterThan(0);
  });
});
