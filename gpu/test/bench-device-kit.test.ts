import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, '.lab', 'test-device-kit');
const bundle = path.join(outDir, 'bench.mjs');
const inferenceBundle = path.join(outDir, 'inference.mjs');

/** Bundles one of the kit's programs as gpu/device-kit/prepare.sh does. */
async function bundleProgram(entry: string, outfile: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu'],
    outfile,
    logLevel: 'silent',
  });
}

/** Runs a bundle with plain node (no TypeScript loader), as on a machine without the lab. */
async function runBundle(
  args: string[],
  program = bundle,
): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, [program, ...args]);
    return { code: 0, stderr: '' };
  } catch (error) {
    const { code, stderr } = error as { code: number; stderr: string };
    return { code, stderr };
  }
}

// The device kit's benchmark: gpu/device-kit/prepare.sh bundles it the same way.
describe('kernel benchmark bundle (device kit)', () => {
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it('bundles into one file that plain node loads, and rejects bad arguments', async () => {
    await bundleProgram('gpu/src/bench/kernel-benchmark-main.ts', bundle);

    expect(await runBundle(['--sizes', '256,x'])).toEqual({
      code: 2,
      stderr: expect.stringContaining('--sizes must be positive integers separated by commas'),
    });
    expect(await runBundle(['--repeats', '0'])).toEqual({
      code: 2,
      stderr: expect.stringContaining('--repeats must be a positive integer, got "0"'),
    });
    expect(await runBundle(['--matmul-kernels', 'some'])).toEqual({
      code: 2,
      stderr: expect.stringContaining('--matmul-kernels must be chosen or all, got "some"'),
    });
    expect(await runBundle(['--no-such-flag'])).toEqual({
      code: 2,
      stderr: expect.stringContaining('usage: bench'),
    });
  });

  it('bundles the inference benchmark, which measures a random checkpoint dense and factorised', async () => {
    await bundleProgram('gpu/src/bench/inference-benchmark-main.ts', inferenceBundle);
    const run = (args: string[]) => runBundle(args, inferenceBundle);
    // The inference-bench job's schema checks the flags, as for `lab bench --model`.
    expect(await run(['--top-k', '5'])).toEqual({
      code: 2,
      stderr: expect.stringContaining('--top-k: must be at most experts'),
    });
    expect(await run(['--gen-len', '1'])).toEqual({
      code: 2,
      stderr: expect.stringMatching(/--gen-len: .*>=2/),
    });
    expect(await run(['--batch', 'x'])).toEqual({
      code: 2,
      stderr: expect.stringContaining('--batch must be an integer, got "x"'),
    });
    const config = path.join(outDir, 'tiny-config.json');
    await writeFile(
      config,
      JSON.stringify({
        vocab_size: 300,
        hidden_size: 64,
        intermediate_size: 192,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        max_position_embeddings: 256,
        rms_norm_eps: 1e-5,
        rope_theta: 10000,
      }),
    );
    const json = path.join(outDir, 'inference.json');
    const args = ['--config', config, '--prompt-len', '20', '--gen-len', '3', '--repeats', '1'];
    expect(await run([...args, '--top-k', '1', '--json-file', json])).toEqual({
      code: 0,
      stderr: expect.any(String),
    });
    const { rows } = JSON.parse(await readFile(json, 'utf8')) as {
      rows: { ffn: string; prefillTokS: number; decodeTokS: number; bound?: number }[];
    };
    expect(rows.map((row) => row.ffn)).toEqual(['dense', 'top-1 of 4']);
    for (const row of rows) expect(row.decodeTokS).toBeGreaterThan(0);
    // The FLOP bound of top-1 of 4 at an FFN share of 0.75: 1 / (0.25 + 0.75 / 4).
    expect(rows[1]!.bound).toBeCloseTo(1 / (0.25 + 0.75 / 4), 2);
  });
});
