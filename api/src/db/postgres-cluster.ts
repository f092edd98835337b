import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PostgresInstall } from './postgres-install.ts';
import type { SystemUser } from './postgres-system-user.ts';

export interface ClusterSpec {
  install: PostgresInstall;
  /** The cluster's folder (PGDATA). */
  dir: string;
  port: number;
  superuser: string;
  password: string;
  /** Runs initdb and the server as this user (needed as root); the current user when null. */
  runAs: SystemUser | null;
}

const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 60_000;

/** Server messages in a locale whose wording is known, so READY can be recognised. */
function messagesLocale(): string {
  if (process.platform === 'win32') return 'C';
  try {
    const available = new Set(
      execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: 'pipe' })
        .split('\n')
        .map((name) => name.trim()),
    );
    return ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((name) => available.has(name)) ?? 'C';
  } catch {
    return 'C';
  }
}

function spawnOptions(spec: ClusterSpec, locale: string): SpawnOptions {
  return {
    // The caller's directory may be one the server's user cannot enter.
    cwd: path.dirname(spec.dir),
    env: { ...process.env, LC_MESSAGES: locale },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(spec.runAs ? { uid: spec.runAs.uid, gid: spec.runAs.gid } : {}),
  };
}

/** Creates the cluster in `spec.dir` (which must not hold one yet). */
export async function initialiseCluster(spec: ClusterSpec): Promise<void> {
  await fs.mkdir(spec.dir, { recursive: true });
  if (spec.runAs) await fs.chown(spec.dir, spec.runAs.uid, spec.runAs.gid);
  const passwordFile = path.join(os.tmpdir(), `factorlab-pg-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(passwordFile, `${spec.password}\n`, { mode: 0o600 });
  if (spec.runAs) await fs.chown(passwordFile, spec.runAs.uid, spec.runAs.gid);
  const locale = messagesLocale();
  try {
    const initdb = spawn(
      spec.install.initdb,
      [
        `--pgdata=${spec.dir}`,
        '--auth=password',
        `--username=${spec.superuser}`,
        `--pwfile=${passwordFile}`,
        `--lc-messages=${locale}`,
      ],
      spawnOptions(spec, locale),
    );
    let output = '';
    initdb.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const [code, error] = await new Promise<[number | null, Error | null]>((resolve) => {
      initdb.on('error', (spawnError) => resolve([null, spawnError]));
      initdb.on('close', (exitCode) => resolve([exitCode, null]));
    });
    if (error || code !== 0) {
      throw new Error(
        `initdb failed for the embedded PostgreSQL in ${spec.dir}` +
          `${error ? `: ${error.message}` : ` (exit ${code})`}\n${output.trim()}`,
      );
    }
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

export interface RunningCluster {
  stop(): Promise<void>;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Starts the server and resolves once it accepts connections; rejects with its own messages. */
export async function startCluster(spec: ClusterSpec): Promise<RunningCluster> {
  const locale = messagesLocale();
  const server = spawn(spec.install.postgres, ['-D', spec.dir, '-p', String(spec.port)], {
    ...spawnOptions(spec, locale),
    // Its own process group, so Ctrl-C in a terminal reaches only the lab, which stops its clients
    // first and the server last (else they all stop at once and the clients report lost
    // connections). Windows has no process groups and would open a console for it.
    detached: process.platform !== 'win32',
  });
  // Stops the server if this process exits without stopping it (an uncaught error, process.exit).
  const stopOnExit = () => server.kill('SIGINT');
  process.on('exit', stopOnExit);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      server.kill('SIGINT');
      reject(new Error(`the embedded PostgreSQL did not start within 60 s:\n${output.trim()}`));
    }, START_TIMEOUT_MS);
    // The pipe is read for the server's whole life: a full pipe would block its logging.
    server.stderr?.on('data', (chunk: Buffer) => {
      if (output.length < 64_000) output += chunk.toString('utf8');
      if (output.includes(READY)) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`the embedded PostgreSQL could not be started: ${error.message}`));
    });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the embedded PostgreSQL in ${spec.dir} exited while starting ` +
            `(${signal ?? `exit ${code}`}):\n${output.trim()}`,
        ),
      );
    });
  }).catch((error: unknown) => {
    process.off('exit', stopOnExit);
    throw error;
  });
  return {
    stop: async () => {
      process.off('exit', stopOnExit);
      if (exited(server)) return;
      const done = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      server.kill('SIGINT');
      await done;
    },
  };
}
