import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, '.lab', 'test-device-kit');
const bundle = path.join(outDir, 'bench.mjs');

/** Runs the bundle with plain node (no TypeScript loader), as on a machine without the lab. */
async function runBundle(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, [bundle, ...args]);
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
    await mkdir(outDir, { recursive: true });
    await build({
      entryPoints: [path.join(root, 'gpu/src/bench/kernel-benchmark-main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['webgpu'],
      outfile: bundle,
      logLevel: 'silent',
    });

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
});
