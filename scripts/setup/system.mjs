// @ts-check
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** The script CI runs: lavapipe, Chromium, docker-compose, PyTorch with OpenBLAS (Debian 12). */
export const SYSTEM_SCRIPT = '.ci/install-system-deps.sh';

/**
 * @param {string} text the contents of /etc/os-release
 * @returns {boolean} whether the distribution is Debian or derives from it (Ubuntu)
 */
export function isDebianLike(text) {
  /** @param {string} key */
  const field = (key) => {
    const match = text.match(new RegExp(`^${key}=(.*)$`, 'm'));
    return (match?.[1] ?? '').replace(/^["']|["']$/g, '').split(/\s+/);
  };
  return [...field('ID'), ...field('ID_LIKE')].some((id) => id === 'debian' || id === 'ubuntu');
}

/** @returns {boolean} */
export function onDebianLike() {
  if (process.platform !== 'linux') return false;
  try {
    return isDebianLike(fs.readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

/**
 * How this process may install system packages: as root, through sudo without a password, or not.
 * @returns {'root' | 'sudo' | null}
 */
export function installPrivilege() {
  if (process.getuid?.() === 0) return 'root';
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return sudo.status === 0 ? 'sudo' : null;
}

/** The command a person runs to install the system packages. */
export const MANUAL_COMMAND = `sudo bash ${SYSTEM_SCRIPT}`;

/**
 * Runs the system script. With a privilege its output is shown (it installs through apt); without,
 * it only succeeds when nothing is missing, so its output is kept for the failure message.
 * @param {string} root
 * @param {'root' | 'sudo' | null} privilege
 * @returns {{ ok: boolean, output: string }}
 */
export function runSystemScript(root, privilege) {
  const [command, args] =
    privilege === 'sudo' ? ['sudo', ['-n', 'bash', SYSTEM_SCRIPT]] : ['bash', [SYSTEM_SCRIPT]];
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: privilege ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}
