import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { EXIT_NO_ADAPTER } from '../../api/src/cli/serve.ts';
import { repoRoot } from '../../api/src/config.ts';

/**
 * Fails the whole test run with the lab's own one-paragraph message (naming the fix) when this
 * machine has no WebGPU adapter, instead of a cascade of failing GPU tests.
 */
export function assertWebGpuAdapter(): void {
  const check = spawnSync(process.execPath, [path.join(repoRoot, 'api', 'bin', 'lab.js'), 'gpu'], {
    encoding: 'utf8',
  });
  if (check.status === 0) return;
  const reason = check.stderr
    .split('\n')
    .filter((line) => line.startsWith('error:'))
    .join('\n');
  throw new Error(
    check.status === EXIT_NO_ADAPTER
      ? `the tests need a WebGPU adapter and \`lab gpu\` found none:\n${reason}`
      : `\`lab gpu\` failed (exit ${check.status}):\n${reason || check.stderr}`,
  );
}
