import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../api/src/config.ts';
import { staleDependencies } from '../scripts/setup/npm-dependencies.mjs';
import { isDebianLike } from '../scripts/setup/system.mjs';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await fs.rm(root, { recursive: true, force: true });
});

type Packages = Record<string, Record<string, unknown>>;

const LOCKED: Packages = {
  '': { name: 'factorlab', workspaces: ['gpu'] },
  gpu: { name: '@factorlab/gpu', version: '0.1.0', dependencies: { zod: '^4.0.0' } },
  'node_modules/@factorlab/gpu': { resolved: 'gpu', link: true },
  'node_modules/zod': {
    version: '4.6.7',
    resolved: 'https://r/zod-4.6.7.tgz',
    integrity: 'sha512-z',
  },
  'node_modules/@esbuild/darwin-arm64': { version: '0.28.2', optional: true },
};

/** A repository root with package-lock.json and, when given, npm's record of what it installed. */
async function repoWith(installed: Packages | null): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'factorlab-setup-'));
  roots.push(root);
  const lock = (packages: Packages) => JSON.stringify({ lockfileVersion: 3, packages });
  await fs.writeFile(path.join(root, 'package-lock.json'), lock(LOCKED));
  if (installed) {
    await fs.mkdir(path.join(root, 'node_modules'));
    await fs.writeFile(path.join(root, 'node_modules', '.package-lock.json'), lock(installed));
  }
  return root;
}

/** What `npm ci` records: every entry but the root and other platforms' optional packages. */
function asInstalled(changes: Packages = {}): Packages {
  const { '': _root, 'node_modules/@esbuild/darwin-arm64': _optional, ...rest } = LOCKED;
  return { ...rest, ...changes };
}

describe('set-up: are the npm dependencies current', () => {
  it('are when node_modules holds what package-lock.json names (optional packages may lack)', async () => {
    expect(staleDependencies(await repoWith(asInstalled()))).toBeNull();
  });

  it('are on this checkout, as npm ci left it', () => {
    expect(staleDependencies(repoRoot)).toBeNull();
  });

  it('are not when nothing is installed', async () => {
    expect(staleDependencies(await repoWith(null))).toBe('they are not installed yet');
  });

  it('are not when a package has another version, or a workspace other dependencies', async () => {
    const zod = { ...LOCKED['node_modules/zod'], version: '4.5.0' };
    expect(staleDependencies(await repoWith(asInstalled({ 'node_modules/zod': zod })))).toBe(
      'node_modules/zod differs from package-lock.json (version)',
    );
    const gpu = { ...LOCKED.gpu, dependencies: {} };
    expect(staleDependencies(await repoWith(asInstalled({ gpu })))).toBe(
      'gpu differs from package-lock.json (dependencies)',
    );
  });

  it('are not when a package is missing or one the lockfile does not name is there', async () => {
    const { 'node_modules/zod': _zod, ...withoutZod } = asInstalled();
    expect(staleDependencies(await repoWith(withoutZod))).toBe('node_modules/zod is missing');
    const extra = asInstalled({ 'node_modules/left-pad': { version: '1.3.0' } });
    expect(staleDependencies(await repoWith(extra))).toBe(
      'node_modules/left-pad is installed but not in package-lock.json',
    );
  });

  it('cannot be told without package-lock.json, and says how to restore it', async () => {
    const root = await repoWith(asInstalled());
    await fs.rm(path.join(root, 'package-lock.json'));
    expect(() => staleDependencies(root)).toThrow(/package-lock.json is missing.*git checkout/);
  });
});

describe('set-up: which systems it installs packages on', () => {
  it('Debian and the distributions built on it, Ubuntu included', () => {
    expect(isDebianLike('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')).toBe(true);
    expect(isDebianLike('ID=ubuntu\nID_LIKE=debian\n')).toBe(true);
    expect(isDebianLike('ID=linuxmint\nID_LIKE="ubuntu debian"\n')).toBe(true);
  });

  it('not others', () => {
    expect(isDebianLike('ID="fedora"\n')).toBe(false);
    expect(isDebianLike('ID=opensuse-tumbleweed\nID_LIKE="opensuse suse"\n')).toBe(false);
    expect(isDebianLike('')).toBe(false);
  });
});

describe('set-up: the command npm start and npm test run first', () => {
  const setup = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'setup.mjs'), ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
    });

  it('does nothing, silently, once it has set up', () => {
    const first = setup('start');
    expect(first.status, first.stderr).toBe(0);
    const second = setup('start');
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout + second.stderr).toBe('');
  });

  it('names its usage for anything but start or test', () => {
    const bad = setup('serve');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('usage: node scripts/setup.mjs start|test');
  });
});
