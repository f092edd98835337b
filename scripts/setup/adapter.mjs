// @ts-check
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** `lab gpu`'s exit status when the machine has no WebGPU adapter (api/src/cli/serve.ts). */
const EXIT_NO_ADAPTER = 3;

/**
 * Asks `lab gpu` (Dawn, as the worker uses it) for a WebGPU adapter.
 * @param {string} root
 * @returns {{ found: true } | { found: false, none: boolean, reason: string }}
 */
export function probeAdapter(root) {
  const result = spawnSync(process.execPath, [path.join(root, 'api', 'bin', 'lab.js'), 'gpu'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (result.status === 0) return { found: true };
  const errors = (result.stderr ?? '').split('\n').filter((line) => line.startsWith('error:'));
  return {
    found: false,
    none: result.status === EXIT_NO_ADAPTER,
    reason: (errors.length > 0 ? errors.join('\n') : (result.stderr ?? '')).trim(),
  };
}
