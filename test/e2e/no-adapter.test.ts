import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { spawnLab } from '../support/lab-process.ts';
import { freePort } from '../support/ports.ts';

/** Points the Vulkan loader at a driver manifest that does not exist: a machine with no adapter. */
const NO_VULKAN_DRIVER = {
  VK_ICD_FILENAMES: '/nonexistent/icd.json',
  VK_DRIVER_FILES: '/nonexistent/icd.json',
};

function expectNoAdapterMessage(stderr: string): void {
  const errorLines = stderr.split('\n').filter((line) => line.startsWith('error:'));
  expect(errorLines).toHaveLength(1);
  expect(errorLines[0]).toMatch(/No WebGPU adapter/);
  expect(errorLines[0]).toMatch(/lavapipe/);
  expect(errorLines[0]).toMatch(/install-system-deps\.sh/);
  // No JavaScript stack trace (Dawn's own native warnings may still name its C++ sources).
  expect(stderr).not.toMatch(/^\s+at .*\.(?:ts|js|mjs):\d+:\d+\)?$/m);
}

describe('a machine without a WebGPU adapter', () => {
  it('`lab gpu` says so in one error line naming the fix, exit code 3', () => {
    const result = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'api', 'bin', 'lab.js'), 'gpu'],
      {
        encoding: 'utf8',
        env: { ...process.env, ...NO_VULKAN_DRIVER },
      },
    );
    expect(result.status).toBe(3);
    expectNoAdapterMessage(result.stderr);
  });

  it('`lab start` keeps the API up without a worker and says why', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'factorlab-noadapter-'));
    const lab = spawnLab(['start', '--no-web'], {
      ...NO_VULKAN_DRIVER,
      DATABASE_URL: '',
      FACTORLAB_DATA_DIR: dataDir,
      FACTORLAB_DB_PORT: String(await freePort()),
      FACTORLAB_API_PORT: String(await freePort()),
    });
    try {
      await lab.waitFor(/running without a worker/);
      expectNoAdapterMessage(lab.output());
      expect(await lab.interrupt()).toBe(0);
    } finally {
      await lab.interrupt();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
