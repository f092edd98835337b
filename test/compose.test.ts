import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../api/src/config.ts';

function compose(...args: string[]) {
  const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (result.error) {
    throw new Error(
      'docker-compose is needed to check docker-compose.yml (no Docker engine is): install it ' +
        'with `apt-get install docker-compose` or `bash .ci/install-system-deps.sh`',
    );
  }
  return result;
}

function labCommands(): string[] {
  const help = spawnSync(process.execPath, [path.join(repoRoot, 'api', 'bin', 'lab.js'), 'help'], {
    encoding: 'utf8',
  });
  return [...help.stdout.matchAll(/^ {2}(\w[\w-]*)/gm)].map((match) => match[1]!);
}

describe('docker-compose.yml', () => {
  it('parses with docker-compose config', () => {
    const result = compose('config', '-q');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs postgres, api, worker and web, each lab service with a real lab command', () => {
    const services = compose('config', '--services').stdout.trim().split('\n').sort();
    expect(services).toEqual(['api', 'postgres', 'web', 'worker']);
    const config = compose('config').stdout;
    const commands = [...config.matchAll(/^ {4}command:\n {4}- (\w+)/gm)].map((m) => m[1]!);
    expect(commands.sort()).toEqual(['api', 'web', 'worker']);
    expect(labCommands()).toEqual(expect.arrayContaining(commands));
  });
});
