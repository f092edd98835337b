import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Ignore } from '@balena/dockerignore';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../api/src/config.ts';

// Docker's own .dockerignore rules. A CommonJS module whose types declare an ES default export.
const ignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore;

// The deployment files, checked without a Docker engine: docker-compose resolves them (`config`),
// and the resolved files are read as data.

const PASSWORD = 'compose-test-secret';

interface Service {
  image?: string;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: { published: number | string; target: number }[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  restart?: string;
  runtime?: string;
  stop_grace_period?: string;
  cpus?: number;
  mem_limit?: string;
  deploy?: unknown;
}

interface Resolved {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function compose(files: string[], args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('docker-compose', [...files.flatMap((file) => ['-f', file]), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, FACTORLAB_DB_PASSWORD: PASSWORD, ...env },
  });
  if (result.error) {
    throw new Error(
      'docker-compose is needed to check docker-compose.yml (no Docker engine is): install it ' +
        'with `apt-get install docker-compose` or `bash .ci/install-system-deps.sh`',
    );
  }
  return result;
}

function resolved(files: string[], env: Record<string, string> = {}): Resolved {
  const result = compose(files, ['config'], env);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return parse(result.stdout) as Resolved;
}

const BASE = ['docker-compose.yml'];
const WITH_MORE_GPUS = [...BASE, 'docker-compose.more-gpus.yml'];
const REMOTE = ['deploy/remote-worker.yml'];
const REMOTE_ENV = {
  FACTORLAB_IMAGE: 'registry.example.org/factorlab',
  DATABASE_URL:
    'postgresql://factorlab:pw@db.example.org:5432/factorlab?sslmode=verify-full&sslrootcert=/etc/factorlab/ca.crt&application_name=remote',
};

function labCommands(): string[] {
  const help = spawnSync(process.execPath, [path.join(repoRoot, 'api', 'bin', 'lab.js'), 'help'], {
    encoding: 'utf8',
  });
  return [...help.stdout.matchAll(/^ {2}(\w[\w-]*)/gm)].map((match) => match[1]!);
}

function workers(config: Resolved): [string, Service][] {
  return Object.entries(config.services).filter(([name]) => name.startsWith('worker'));
}

function seconds(duration: string): number {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!match || duration === '') throw new Error(`not a duration: ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

function read(file: string): string {
  return fs.readFileSync(path.join(repoRoot, file), 'utf8');
}

describe('docker-compose.yml', () => {
  it('parses with docker-compose config, alone and with each override', () => {
    for (const files of [BASE, WITH_MORE_GPUS]) {
      const result = compose(files, ['config', '-q']);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
    const withTls = compose([...BASE, 'deploy/postgres-tls.yml'], ['config', '-q'], {
      FACTORLAB_TLS_DIR: '/etc/factorlab/tls',
    });
    expect(withTls.stderr).toBe('');
    expect(withTls.status).toBe(0);
  });

  it('runs postgres, a migration, the api behind a gateway, web and workers, each lab service with a real lab command', () => {
    const config = resolved(BASE);
    expect(Object.keys(config.services).sort()).toEqual([
      'api',
      'gateway',
      'migrate',
      'postgres',
      'web',
      'worker-cpu',
      'worker-gpu0',
    ]);
    const labServices = Object.entries(config.services).filter(
      ([, service]) => service.image === 'factorlab:latest',
    );
    const commands = labServices.map(([, service]) => service.command![0]!);
    expect(commands.sort()).toEqual(['api', 'migrate', 'worker', 'worker']);
    expect(labCommands()).toEqual(expect.arrayContaining(commands));
    expect(config.services.web!.image).toBe('factorlab-web:latest');
    // The images the lab does not build are pinned by digest.
    for (const name of ['postgres', 'gateway']) {
      expect(config.services[name]!.image, name).toMatch(/^[\w/.-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    }
  });

  it('takes the database password from the environment only, and refuses to start without it', () => {
    const config = resolved(BASE);
    expect(config.services.postgres!.environment!.POSTGRES_PASSWORD).toBe(PASSWORD);
    for (const [name, service] of Object.entries(config.services)) {
      if (service.image !== 'factorlab:latest') continue;
      expect(service.environment!.DATABASE_URL, name).toBe(
        `postgresql://factorlab:${PASSWORD}@postgres:5432/factorlab`,
      );
    }
    for (const file of [...WITH_MORE_GPUS, ...REMOTE, 'deploy/postgres-tls.yml', 'Dockerfile']) {
      // No password value that is not a ${VARIABLE}, in a setting or in a URL (comments aside).
      const settings = read(file)
        .split('\n')
        .filter((line) => !line.trim().startsWith('#'))
        .join('\n');
      expect(settings, file).not.toMatch(/^\s*\w*PASSWORD\w*:\s*(?!\$\{)\S/m);
      expect(settings, file).not.toMatch(/:\/\/\w+:(?!\$\{)[^@\s]+@/);
    }
    const without = compose(BASE, ['config', '-q'], { FACTORLAB_DB_PASSWORD: '' });
    expect(without.status).not.toBe(0);
    expect(without.stderr).toContain('set FACTORLAB_DB_PASSWORD');
  });

  it('migrates once, in a one-shot service the API and every worker wait for', () => {
    const config = resolved(WITH_MORE_GPUS);
    const migrate = config.services.migrate!;
    expect(migrate.command).toEqual(['migrate']);
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['api', ...workers(config).map(([worker]) => worker)]) {
      expect(config.services[name]!.depends_on, name).toEqual({
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('publishes one API port, the gateway, in front of any number of api replicas', () => {
    const config = resolved(BASE);
    expect(config.services.api!.ports).toBeUndefined();
    expect(config.services.gateway!.ports).toEqual([{ published: 4000, target: 4000 }]);
    const moved = resolved(BASE, { FACTORLAB_API_PORT: '4100' });
    expect(moved.services.gateway!.ports).toEqual([{ published: 4100, target: 4000 }]);
    // Every replica, found by the service's name in Docker's DNS, and the API's port.
    expect(read('deploy/Caddyfile')).toMatch(/dynamic a api 4000/);
    expect(config.services.web!.environment!.FACTORLAB_API_URL).toBe('http://gateway:4000');
  });

  it("gives every worker a checkpoint-long stop grace period (the lab's own shorter), the models volume and a health check of its adapter kind", () => {
    for (const config of [resolved(WITH_MORE_GPUS), resolved(REMOTE, REMOTE_ENV)]) {
      expect(config.volumes).toHaveProperty('models');
      for (const [name, worker] of workers(config)) {
        expect(seconds(worker.stop_grace_period!), name).toBeGreaterThanOrEqual(60);
        // The lab's own grace (api/src/cli/shutdown.ts) ends before Docker kills it.
        const labGrace = Number(worker.environment!.FACTORLAB_STOP_GRACE_S);
        expect(labGrace, name).toBeGreaterThanOrEqual(60);
        expect(labGrace, name).toBeLessThan(seconds(worker.stop_grace_period!));
        expect(worker.volumes, name).toContain('models:/factorlab/models:rw');
        expect(worker.healthcheck!.test, name).toEqual([
          'CMD',
          'node',
          'deploy/healthcheck.mjs',
          'worker',
        ]);
        expect(['gpu', 'cpu'], name).toContain(worker.environment!.FACTORLAB_WORKER_ADAPTER);
      }
    }
  });

  it('checks health without opening a GPU device and without TypeScript', () => {
    const config = resolved(WITH_MORE_GPUS);
    const checked = Object.entries(config.services).filter(([, service]) => service.healthcheck);
    expect(checked.map(([name]) => name).sort()).toEqual(
      Object.keys(config.services)
        .filter((name) => !['migrate', 'gateway'].includes(name))
        .sort(),
    );
    for (const [name, service] of checked) {
      const test = service.healthcheck!.test.join(' ');
      expect(test, name).not.toMatch(/lab\.js gpu|tsx|\.ts\b/);
      if (service.image?.startsWith('factorlab')) expect(test, name).toMatch(/healthcheck\.mjs/);
    }
  });

  it('runs the GPU variant (profile gpu) through the nvidia runtime, which mounts the Vulkan ICD, one device per worker', () => {
    const config = resolved(WITH_MORE_GPUS);
    const gpuWorkers = workers(config).filter(([name]) => name.startsWith('worker-gpu'));
    expect(gpuWorkers.length).toBeGreaterThanOrEqual(2);
    const { NVIDIA_VISIBLE_DEVICES: firstDevice, ...firstEnv } =
      config.services['worker-gpu0']!.environment!;
    expect(firstDevice).toBe('0');
    const devices = new Set<string>();
    for (const [name, worker] of gpuWorkers) {
      expect(worker.profiles, name).toEqual(['gpu']);
      expect(worker.runtime, name).toBe('nvidia');
      // A bare device reservation mounts no Vulkan ICD: the worker would get lavapipe.
      expect(worker.deploy, name).toBeUndefined();
      const { NVIDIA_VISIBLE_DEVICES: device, ...env } = worker.environment!;
      expect(device, name).toBe(name.slice('worker-gpu'.length));
      devices.add(device!);
      expect(env, name).toEqual(firstEnv);
      expect(env.NVIDIA_DRIVER_CAPABILITIES!.split(','), name).toContain('graphics');
      expect(env.FACTORLAB_WORKER_ADAPTER, name).toBe('gpu');
      const { environment: _env, build: _build, ...rest } = worker as Service & { build?: unknown };
      const {
        environment: _env0,
        build: _build0,
        ...first
      } = config.services['worker-gpu0']! as Service & { build?: unknown };
      expect(rest, name).toEqual(first);
    }
    expect(devices.size).toBe(gpuWorkers.length);
  });

  it('runs the CPU variant (profile cpu) on lavapipe within CPU and memory limits, with no GPU', () => {
    const worker = resolved(BASE).services['worker-cpu']!;
    expect(worker.profiles).toEqual(['cpu']);
    expect(worker.runtime).toBeUndefined();
    expect(worker.deploy).toBeUndefined();
    expect(Object.keys(worker.environment!).filter((key) => key.startsWith('NVIDIA'))).toEqual([]);
    expect(worker.environment!.FACTORLAB_WORKER_ADAPTER).toBe('cpu');
    expect(worker.environment!.FACTORLAB_CPU_THREADS).toBe('4');
    expect(worker.cpus).toBe(4);
    expect(worker.mem_limit).toBe('16g');
    const sized = resolved(BASE, { FACTORLAB_CPU_THREADS: '8', FACTORLAB_WORKER_CPUS: '8' });
    expect(sized.services['worker-cpu']!.environment!.FACTORLAB_CPU_THREADS).toBe('8');
    expect(sized.services['worker-cpu']!.cpus).toBe(8);
  });
});

describe('workers on other machines (deploy/remote-worker.yml, deploy/postgres-tls.yml)', () => {
  it('keeps the database URL from the environment as given, sslmode and all', () => {
    const worker = resolved(REMOTE, REMOTE_ENV).services.worker!;
    expect(worker.environment!.DATABASE_URL).toBe(REMOTE_ENV.DATABASE_URL);
    expect(worker.image).toBe('registry.example.org/factorlab:latest');
    expect(worker.runtime).toBe('nvidia');
    expect(worker.volumes).toContain('/etc/factorlab/ca.crt:/etc/factorlab/ca.crt:ro');
    const withoutUrl = compose(REMOTE, ['config', '-q'], { ...REMOTE_ENV, DATABASE_URL: '' });
    expect(withoutUrl.status).not.toBe(0);
    expect(withoutUrl.stderr).toContain('set DATABASE_URL');
    const cpu = resolved(REMOTE, {
      ...REMOTE_ENV,
      FACTORLAB_RUNTIME: 'runc',
      FACTORLAB_WORKER_ADAPTER: 'cpu',
    }).services.worker!;
    expect(cpu.runtime).toBe('runc');
    expect(cpu.environment!.FACTORLAB_WORKER_ADAPTER).toBe('cpu');
  });

  it('opens the shared PostgreSQL to other machines over TLS only', () => {
    const postgres = resolved([...BASE, 'deploy/postgres-tls.yml'], {
      FACTORLAB_TLS_DIR: '/etc/factorlab/tls',
    }).services.postgres!;
    expect(postgres.command).toEqual(
      expect.arrayContaining(['ssl=on', 'hba_file=/etc/factorlab/pg_hba.conf']),
    );
    expect(postgres.ports).toEqual([{ published: 5432, target: 5432 }]);
    const rules = read('deploy/pg_hba.conf')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'))
      .map((line) => line.split(/\s+/));
    // Only the socket and this host's compose network go without TLS.
    for (const rule of rules.filter(([type]) => type !== 'hostssl')) {
      expect([['local'], ['host', 'samenet']]).toContainEqual(
        rule[0] === 'local' ? ['local'] : [rule[0], rule[3]],
      );
    }
    expect(rules.filter(([type]) => type === 'hostssl').map((rule) => rule[3])).toEqual([
      '0.0.0.0/0',
      '::/0',
    ]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((m) => [m[1], m[2]]);

  it('builds every stage on one Node LTS base pinned by digest', () => {
    const base = /^ARG NODE_IMAGE=node:(\d+)-bookworm-slim@sha256:([0-9a-f]{64})$/m.exec(
      dockerfile,
    );
    expect(base).not.toBeNull();
    const major = Number(base![1]);
    // Even majors are the LTS lines; 20 reached its end of life in April 2026.
    expect(major % 2).toBe(0);
    expect(major).toBeGreaterThanOrEqual(22);
    expect(stages.map(([image]) => image)).toEqual(stages.map(() => '${NODE_IMAGE}'));
    expect(stages.map(([, name]) => name)).toEqual(['build', 'production-deps', 'web', 'runtime']);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(stages.length);
  });

  it('installs from the lockfile without install scripts, production packages only at run time', () => {
    const installs = [...dockerfile.matchAll(/(?<=\s)npm \w+[^\n]*/g)].map((m) => m[0]);
    expect(installs).toHaveLength(2);
    expect(installs.every((line) => line.startsWith('npm ci '))).toBe(true);
    expect(installs.every((line) => line.includes('--ignore-scripts'))).toBe(true);
    expect(installs.some((line) => line.includes('--omit=dev'))).toBe(true);
    expect(dockerfile).toMatch(/COPY --from=production-deps \/deps\/node_modules/);
    expect(dockerfile).not.toMatch(/COPY --from=build \/src\/node_modules/);
    // Mesa and the Vulkan loader at pinned versions.
    expect(dockerfile).toMatch(/mesa-vulkan-drivers=\$\{MESA_VERSION\}/);
    expect(dockerfile).toMatch(/^ARG MESA_VERSION=\S+bpo12\S*$/m);
  });

  it('runs compiled JavaScript and the standalone dashboard as user node under tini', () => {
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    const web = dockerfile.slice(dockerfile.indexOf('AS web'), dockerfile.indexOf('AS runtime'));
    for (const stage of [runtime, web]) {
      expect(stage).toMatch(/^USER node$/m);
      expect(stage).toMatch(/^ENTRYPOINT \["tini", "--"/m);
    }
    expect(runtime).toMatch(/"node", "api\/dist\/lab\.js"\]/);
    expect(dockerfile).toMatch(/node deploy\/runtime-layout\.mjs \/runtime/);
    expect(dockerfile).toMatch(/FACTORLAB_WEB_STANDALONE=1 .*next build/);
    expect(web).toMatch(/\.next\/standalone/);
    expect(web).toMatch(/CMD \["node", "web\/server\.js"\]/);
    expect(dockerfile).not.toMatch(/tsx/);
  });
});

describe('.dockerignore', () => {
  const context = ignore().add(read('.dockerignore'));

  it('keeps secrets, models, data, logs, coverage and local builds out of the build context', () => {
    for (const secretOrBulk of [
      '.env',
      '.env.production',
      'api/.env',
      'deploy/tls/server.key',
      'deploy/tls/server.pem',
      'models/demo/model.safetensors',
      'models/llama/model-00001-of-00004.safetensors',
      'data/brown/train.bin',
      '.lab/postgres/PG_VERSION',
      'coverage/index.html',
      'lab.log',
      'api/server.log',
      'node_modules/pg/package.json',
      'web/node_modules/next/package.json',
      'web/.next/BUILD_ID',
      'api/src/db/generated/client.ts',
      '.git/HEAD',
      '.device-kit/out.json',
    ]) {
      expect(context.ignores(secretOrBulk), secretOrBulk).toBe(true);
    }
  });

  it('keeps every tracked file the images are built from', () => {
    const tracked = execFileSync(
      'git',
      [
        'ls-files',
        'package.json',
        'package-lock.json',
        'tsconfig.json',
        'prisma.config.ts',
        'prisma',
        'api/package.json',
        'api/tsconfig.json',
        'api/bin',
        'api/src',
        'gpu/package.json',
        'gpu/src',
        'web',
        'deploy',
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
    expect(tracked.length).toBeGreaterThan(100);
    expect(tracked.filter((file) => context.ignores(file))).toEqual([]);
  });
});
