import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config.ts';

const webDir = path.join(repoRoot, 'web');
const nextCli = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
const SOURCE_DIRS = ['app', 'lib', 'components'];

function newestSourceMtime(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

function buildIsCurrent(): boolean {
  const buildId = path.join(webDir, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return false;
  const builtAt = fs.statSync(buildId).mtimeMs;
  return SOURCE_DIRS.every((dir) => newestSourceMtime(path.join(webDir, dir)) <= builtAt);
}

const webEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

/** Builds the dashboard when it was never built or its sources changed since. */
export function ensureWebBuilt(): void {
  if (buildIsCurrent()) return;
  console.log('building the dashboard (first start, or its sources changed)...');
  const build = spawnSync(process.execPath, [nextCli, 'build'], {
    cwd: webDir,
    env: webEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) throw new Error('the dashboard build failed (see the output above)');
}

export function spawnWeb(port: number, apiUrl: string, host: string): ChildProcess {
  return spawn(process.execPath, [nextCli, 'start', '-p', String(port), '-H', host], {
    cwd: webDir,
    env: { ...webEnv, FACTORLAB_API_URL: apiUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
