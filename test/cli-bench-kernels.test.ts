import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function lab(...args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'api', 'bin', 'lab.js'), ...args], {
    encoding: 'utf8',
  });
}

// Arguments are checked before any adapter is acquired: one error line naming the flag.
describe('lab bench kernels', () => {
  it.each([
    [
      ['--sizes', '256,x'],
      'error: --sizes must be positive integers separated by commas, got "256,x"',
    ],
    [['--repeats', '0'], 'error: --repeats must be at least 1'],
    [['--matmul-kernels', 'some'], 'error: --matmul-kernels must be chosen or all, got "some"'],
  ])('rejects %j with one line naming the flag', (args, message) => {
    const result = lab('bench', 'kernels', ...args);
    expect(result.stderr.trim()).toBe(message);
    expect(result.status).toBe(1);
  });
});
