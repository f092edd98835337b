// @ts-check
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** @typedef {Record<string, unknown> & { version?: string, optional?: boolean, devOptional?: boolean }} LockEntry */

/** Fields that must agree for an installed package to be the one package-lock.json names. */
const COMPARED = [
  'version',
  'resolved',
  'integrity',
  'link',
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
];

/**
 * @param {string} file
 * @returns {Record<string, LockEntry> | null}
 */
function lockPackages(file) {
  if (!fs.existsSync(file)) return null;
  const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
  return lock.packages ?? {};
}

/**
 * Why node_modules does not hold what `npm ci` would install from package-lock.json, or null when
 * it does. Reads npm's own record of what it installed (node_modules/.package-lock.json), so an
 * install by hand counts too; packages only optional (other platforms' binaries) may be absent.
 * @param {string} root the repository root
 * @returns {string | null}
 */
export function staleDependencies(root) {
  const wanted = lockPackages(path.join(root, 'package-lock.json'));
  if (!wanted) {
    throw new Error(
      'package-lock.json is missing, so the dependencies cannot be installed as they were tested: ' +
        'restore it (`git checkout package-lock.json`)',
    );
  }
  const installed = lockPackages(path.join(root, 'node_modules', '.package-lock.json'));
  if (!installed) return 'they are not installed yet';
  for (const [key, entry] of Object.entries(wanted)) {
    if (key === '') continue;
    const found = installed[key];
    if (!found) {
      if (entry.optional || entry.devOptional) continue;
      return `${key} is missing`;
    }
    const differing = COMPARED.find(
      (field) => JSON.stringify(found[field]) !== JSON.stringify(entry[field]),
    );
    if (differing) return `${key} differs from package-lock.json (${differing})`;
  }
  const extra = Object.keys(installed).find((key) => !(key in wanted));
  return extra ? `${extra} is installed but not in package-lock.json` : null;
}

/**
 * `npm ci`: exactly the lockfile's packages, then the postinstall step (the Prisma client).
 * @param {string} root
 */
export function installDependencies(root) {
  // Under `npm start` or `npm test`, npm names its own entry point: the same npm, on any OS.
  const npmCli = process.env.npm_execpath;
  const args = ['ci', '--no-audit', '--no-fund'];
  const result = npmCli
    ? spawnSync(process.execPath, [npmCli, ...args], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    throw new Error('`npm ci` failed (see its output above); fix that, then run the command again');
  }
}
