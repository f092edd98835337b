import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { useProductionMode } from '../../api/src/cli/production-mode.ts';

// Runs `lab <command>` as api/bin/lab.js does (tsx's loader, the program's main) against a database
// that cannot be reached, so the command loads the API's modules and then fails. Reports whether
// graphql-js was loaded before the command ran, NODE_ENV, and the mode graphql-js loaded in: in
// development it refuses a value that claims to be a schema of another copy of graphql.
const PROBE = `
import { createRequire } from 'node:module';
import { register } from 'tsx/esm/api';
register({ tsconfig: 'api/tsconfig.json' });
const require = createRequire(process.cwd() + '/');
const graphqlLoaded = () =>
  Object.keys(require.cache).some((file) => file.includes('/node_modules/graphql/'));
const { main } = await import('./api/src/cli/lab.ts');
const loadedByProgram = graphqlLoaded();
process.on('exit', () => {
  const loadedByCommand = graphqlLoaded();
  let mode = 'production';
  try {
    require('graphql').isSchema({ [Symbol.toStringTag]: 'GraphQLSchema' });
  } catch {
    mode = 'development';
  }
  console.log(JSON.stringify({ loadedByProgram, loadedByCommand, nodeEnv: process.env.NODE_ENV, mode }));
});
await main(['node', 'lab', ...process.argv.slice(1)]);
`;

function probe(args: string[], nodeEnv: string | undefined) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/unreachable',
  };
  delete env.NODE_ENV;
  if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, ...args], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 50_000,
  });
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  expect(line, child.stderr).toMatch(/^\{/);
  return JSON.parse(line) as {
    loadedByProgram: boolean;
    loadedByCommand: boolean;
    nodeEnv?: string;
    mode: string;
  };
}

describe('production mode for the API processes', () => {
  it('sets NODE_ENV=production unless it is set', () => {
    const unset: NodeJS.ProcessEnv = {};
    expect(useProductionMode(unset)).toBe(true);
    expect(unset.NODE_ENV).toBe('production');
    const empty: NodeJS.ProcessEnv = { NODE_ENV: '' };
    expect(useProductionMode(empty)).toBe(true);
    expect(empty.NODE_ENV).toBe('production');
    for (const value of ['development', 'test', 'production']) {
      const set: NodeJS.ProcessEnv = { NODE_ENV: value };
      expect(useProductionMode(set)).toBe(false);
      expect(set.NODE_ENV).toBe(value);
    }
  });

  it.each([['api'], ['start', '--no-worker', '--no-web']])(
    '`lab %s` loads graphql-js in production mode',
    (...args) => {
      const result = probe(args, undefined);
      // The program's modules leave graphql-js to the command, which sets NODE_ENV first.
      expect(result).toEqual({
        loadedByProgram: false,
        loadedByCommand: true,
        nodeEnv: 'production',
        mode: 'production',
      });
    },
  );

  it("keeps the user's NODE_ENV", () => {
    expect(probe(['api'], 'development')).toMatchObject({
      loadedByCommand: true,
      nodeEnv: 'development',
      mode: 'development',
    });
  });
});
