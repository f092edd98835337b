import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, adapterKindOf } from '../gpu/src/index.ts';
import { repoRoot } from '../api/src/config.ts';
import { createTestDatabase, databaseTargets, type TestDatabase } from './support/test-database.ts';

function labWorker(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'api', 'bin', 'lab.js'), 'worker'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('`lab worker` asked for the other kind of adapter than this machine has', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(databaseTargets()[0]!);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('exits with one error line naming the adapter and registers no worker', async () => {
    const kind = adapterKindOf((await acquireGpu()).info);
    const wanted = kind === 'cpu' ? 'gpu' : 'cpu';
    const { code, stderr } = await labWorker({
      DATABASE_URL: database.url,
      FACTORLAB_WORKER_ADAPTER: wanted,
    });
    expect(code).toBe(1);
    // Dawn may print warnings of its own; the lab's refusal is one error line.
    const errors = stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^error: FACTORLAB_WORKER_ADAPTER=${wanted} but `));
    const { rows } = await database.sql.query('SELECT count(*)::int AS count FROM worker');
    expect(rows).toEqual([{ count: 0 }]);
  });
});
