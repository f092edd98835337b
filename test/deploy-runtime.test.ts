import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../api/src/config.ts';
import { acquireGpu, adapterKindOf } from '../gpu/src/index.ts';
import { freePort } from './support/ports.ts';
import { databaseTargets } from './support/test-database.ts';

// The runtime image's files, laid out by the script its Dockerfile runs (deploy/runtime-layout.mjs).
// The image installs production dependencies only; here node_modules is the checkout's.

interface Started {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

function start(root: string, args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    waitFor: async (pattern, timeoutMs = 50_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`exited before ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} in ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

async function finished(started: Started): Promise<number | null> {
  if (started.child.exitCode === null) await once(started.child, 'exit');
  return started.child.exitCode;
}

async function stop(started: Started | undefined): Promise<number | null> {
  if (!started || started.child.exitCode !== null) return started?.child.exitCode ?? null;
  started.child.kill('SIGTERM');
  return finished(started);
}

describe('the runtime image layout (compiled lab command, production files only)', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'factorlab-runtime-'));
  const target = databaseTargets()[0]!;
  const adminUrl = new URL(target.templateUrl);
  adminUrl.pathname = '/postgres';
  const databaseName = `factorlab_runtime_${randomUUID().replaceAll('-', '')}`;
  const databaseUrl = new URL(target.templateUrl);
  databaseUrl.pathname = `/${databaseName}`;
  let api: Started | undefined;
  let worker: Started | undefined;
  let apiPort = 0;

  async function admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: adminUrl.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  const lab = (args: string[], env: Record<string, string> = {}) =>
    start(root, [path.join(root, 'api', 'dist', 'lab.js'), ...args], {
      DATABASE_URL: databaseUrl.toString(),
      ...env,
    });

  function healthcheck(service: string, env: Record<string, string>) {
    return spawnSync(process.execPath, [path.join(root, 'deploy', 'healthcheck.mjs'), service], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl.toString(), ...env },
      encoding: 'utf8',
    });
  }

  beforeAll(async () => {
    const layout = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'deploy', 'runtime-layout.mjs'), root],
      { encoding: 'utf8' },
    );
    expect(layout.stderr).toBe('');
    expect(layout.status).toBe(0);
    fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
    await admin(`CREATE DATABASE "${databaseName}"`);
  });

  afterAll(async () => {
    await stop(worker);
    await stop(api);
    await admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('holds compiled JavaScript that loads no TypeScript and no tsx', () => {
    const compiled = fs.readdirSync(path.join(root, 'api', 'dist'));
    expect(compiled).toContain('lab.js');
    for (const file of compiled.filter((name) => name.endsWith('.js'))) {
      const code = fs.readFileSync(path.join(root, 'api', 'dist', file), 'utf8');
      expect(code, file).not.toMatch(/from\s*["']tsx|import\(["'][^"']+\.ts["']\)/);
    }
    expect(fs.existsSync(path.join(root, 'api', 'src', 'cli'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'gpu', 'src'))).toBe(false);
  });

  it('migrates an empty database once with lab migrate, URL parameters and all', async () => {
    const withParameters = new URL(databaseUrl);
    withParameters.searchParams.set('application_name', 'factorlab-migrate');
    const migrate = lab(['migrate'], { DATABASE_URL: withParameters.toString() });
    expect(await finished(migrate), migrate.output()).toBe(0);
    expect(migrate.output()).toMatch(/applied \d+_init/);
    const again = lab(['migrate']);
    expect(await finished(again), again.output()).toBe(0);
    expect(again.output()).toMatch(/is up to date/);
  });

  it('serves the API, which passes its health check (HTTP and database)', async () => {
    apiPort = await freePort();
    api = lab(['api'], { FACTORLAB_API_PORT: String(apiPort), FACTORLAB_AUTH: 'off' });
    await api.waitFor(/api: http:\/\/127\.0\.0\.1:\d+\/graphql/);
    const healthy = healthcheck('api', { FACTORLAB_API_PORT: String(apiPort) });
    expect(healthy.stderr).toBe('');
    expect(healthy.status).toBe(0);
    const wrongPort = healthcheck('api', { FACTORLAB_API_PORT: String(await freePort()) });
    expect(wrongPort.status).toBe(1);
    expect(wrongPort.stderr).toMatch(/^unhealthy api: /);
  });

  it("runs a queued selftest on a worker that passes the health check for its adapter's kind only", async () => {
    const kind = adapterKindOf((await acquireGpu()).info);
    const otherKind = kind === 'cpu' ? 'gpu' : 'cpu';
    worker = lab(['worker'], { FACTORLAB_WORKER_ADAPTER: kind });
    await worker.waitFor(/worker \w+ on .+: waiting for runs/);
    expect(healthcheck('worker', { FACTORLAB_WORKER_ADAPTER: kind }).status).toBe(0);
    const wrongKind = healthcheck('worker', { FACTORLAB_WORKER_ADAPTER: otherKind });
    expect(wrongKind.status).toBe(1);
    expect(wrongKind.stderr).toContain(`computes on a ${kind} adapter, not the ${otherKind} one`);

    const queued = lab(['queue', 'selftest', '--wait'], {
      FACTORLAB_API_URL: `http://127.0.0.1:${apiPort}`,
    });
    expect(await finished(queued), queued.output()).toBe(0);
    expect(queued.output()).toMatch(/run [0-9a-f-]+ SUCCEEDED/);

    expect(await stop(worker)).toBe(0);
    const stopped = healthcheck('worker', { FACTORLAB_WORKER_ADAPTER: kind });
    expect(stopped.status).toBe(1);
    expect(stopped.stderr).toMatch(/no running worker registered from host/);
  });
});
