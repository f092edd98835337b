// @ts-check
import { probeAdapter } from './adapter.mjs';
import { markDone, readMarker } from './marker.mjs';
import { installDependencies, staleDependencies } from './npm-dependencies.mjs';
import {
  MANUAL_COMMAND,
  SYSTEM_SCRIPT,
  installPrivilege,
  onDebianLike,
  runSystemScript,
} from './system.mjs';

/** @typedef {import('./marker.mjs').Purpose} Purpose */

const [MIN_MAJOR, MIN_MINOR] = [20, 19];

/** @param {string} message */
const say = (message) => console.log(`set-up: ${message}`);

function checkNode() {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < MIN_MAJOR || (major === MIN_MAJOR && minor < MIN_MINOR)) {
    throw new Error(
      `Node.js ${process.versions.node} is too old: FactorLab needs ${MIN_MAJOR}.${MIN_MINOR} or ` +
        'newer (https://nodejs.org, or your package manager), then run the command again',
    );
  }
}

const MANUAL_STEPS = 'see the README\'s "Set-up by hand" for this system';

/**
 * `npm start` needs a WebGPU adapter for its worker. Where there is none on Debian or Ubuntu and
 * this process may install packages, CI's script installs Mesa's lavapipe (a CPU Vulkan driver).
 * @param {string} root
 * @returns {boolean} whether the adapter is there now
 */
function ensureAdapter(root) {
  const probe = probeAdapter(root);
  if (probe.found) return true;
  if (!probe.none) {
    say(`\`lab gpu\` failed, so the worker may not start:\n${probe.reason}`);
    return false;
  }
  say('this machine has no WebGPU adapter (`npx lab gpu` found none)');
  const privilege = onDebianLike() ? installPrivilege() : null;
  if (!onDebianLike() || !privilege) {
    const fix = onDebianLike() ? `run \`${MANUAL_COMMAND}\` as an administrator` : MANUAL_STEPS;
    say(`for a worker, ${fix}; the lab starts without one until then`);
    return false;
  }
  say(
    `installing Mesa's lavapipe (a CPU Vulkan driver) and the test suite's system packages ` +
      `with \`${privilege === 'sudo' ? 'sudo ' : ''}bash ${SYSTEM_SCRIPT}\` (apt; a few minutes)`,
  );
  if (!runSystemScript(root, privilege).ok) {
    say(`${SYSTEM_SCRIPT} failed (see above; ${MANUAL_STEPS}); the lab starts without a worker`);
    return false;
  }
  const again = probeAdapter(root);
  if (!again.found) say(`still no WebGPU adapter:\n${again.reason}`);
  return again.found;
}

/**
 * `npm test` also needs Chromium and PyTorch with OpenBLAS: CI's script checks for everything
 * and, where this process may, installs what is missing.
 * @param {string} root
 * @returns {boolean} whether everything is installed
 */
function ensureTestPackages(root) {
  if (!onDebianLike()) {
    say(`not Debian or Ubuntu: nothing installed automatically; ${MANUAL_STEPS}`);
    return true;
  }
  const privilege = installPrivilege();
  if (privilege) {
    say(
      `checking the system packages the tests need (lavapipe, Chromium, PyTorch with OpenBLAS) ` +
        `with \`bash ${SYSTEM_SCRIPT}\`, which installs what is missing through apt`,
    );
  }
  const result = runSystemScript(root, privilege);
  if (result.ok) {
    if (!privilege) say(result.output);
    return true;
  }
  say(
    privilege
      ? `${SYSTEM_SCRIPT} failed (see above; ${MANUAL_STEPS}); the tests that need what it installs will fail`
      : `system packages the tests need are missing, and installing them needs root: run ` +
          `\`${MANUAL_COMMAND}\` as an administrator, then the tests again`,
  );
  return false;
}

/**
 * Everything a fresh clone lacks for `purpose`, installed or named; the second run finds it done
 * and does nothing (two file reads).
 * @param {Purpose} purpose
 * @param {string} root
 */
export function setUp(purpose, root) {
  checkNode();
  const stale = staleDependencies(root);
  if (stale) {
    say(`installing the npm dependencies with \`npm ci\` (${stale}; about a minute)`);
    installDependencies(root);
  }
  if (readMarker(root)[purpose]) return;
  const ready = purpose === 'start' ? ensureAdapter(root) : ensureTestPackages(root);
  if (ready) markDone(root, purpose);
}
