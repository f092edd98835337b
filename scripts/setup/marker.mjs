// @ts-check
import fs from 'node:fs';
import path from 'node:path';

/** @typedef {'start' | 'test'} Purpose */

/**
 * Which set-ups have completed on this install. Kept inside node_modules, so a reinstall (a new
 * lockfile) runs the system checks again.
 * @param {string} root
 */
function markerFile(root) {
  return path.join(root, 'node_modules', '.factorlab-setup.json');
}

/**
 * @param {string} root
 * @returns {Partial<Record<Purpose, string>>} each completed purpose with when it completed
 */
export function readMarker(root) {
  try {
    return JSON.parse(fs.readFileSync(markerFile(root), 'utf8'));
  } catch {
    return {};
  }
}

/**
 * @param {string} root
 * @param {Purpose} purpose
 */
export function markDone(root, purpose) {
  const marker = { ...readMarker(root), [purpose]: new Date().toISOString() };
  try {
    fs.writeFileSync(markerFile(root), `${JSON.stringify(marker, null, 2)}\n`);
  } catch {
    // node_modules belongs to another user: the checks simply run again next time.
  }
}
