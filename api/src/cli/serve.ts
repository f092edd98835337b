import { NoAdapterError } from '@factorlab/gpu';
import type { LabConfig } from '../config.ts';
import { createDb } from '../db/client.ts';
import { redactUrl } from '../db/database.ts';
import { migrateDatabase } from '../queue/migrate-database.ts';
import { startApiServer } from '../graphql/server.ts';
import { startWorker } from '../worker/worker.ts';
import { fail } from './fail.ts';
import { onShutdown } from './shutdown.ts';
import { ensureWebBuilt, spawnWeb } from './web-process.ts';

/** Exit code of `lab worker` when this machine has no WebGPU adapter. */
export const EXIT_NO_ADAPTER = 3;

function requireDatabaseUrl(config: LabConfig, command: string): string {
  if (!config.databaseUrl) {
    fail(
      `lab ${command} needs DATABASE_URL (e.g. postgresql://user:pass@host:5432/factorlab); ` +
        '`npm start` runs everything on an embedded database instead',
    );
  }
  return config.databaseUrl;
}

export async function migrateOnly(config: LabConfig): Promise<void> {
  const url = requireDatabaseUrl(config, 'migrate');
  const { applied } = await migrateDatabase(url);
  console.log(
    applied.length
      ? `applied ${applied.join(', ')} to ${redactUrl(url)}`
      : `${redactUrl(url)} is up to date`,
  );
}

export async function serveApi(config: LabConfig): Promise<void> {
  const url = requireDatabaseUrl(config, 'api');
  await migrateDatabase(url);
  const db = createDb(url);
  const auth = config.auth ?? 'on';
  const api = await startApiServer(db, {
    host: config.apiHost,
    port: config.apiPort,
    auth,
    databaseUrl: url,
    allowedOrigins: config.allowedOrigins,
  });
  console.log(`api: ${api.url}/graphql (auth ${auth})`);
  onShutdown(async () => {
    await api.stop();
    await db.$disconnect();
  });
}

export async function serveWorker(config: LabConfig): Promise<void> {
  const url = requireDatabaseUrl(config, 'worker');
  const db = createDb(url);
  try {
    const worker = await startWorker(db, url);
    console.log(`worker ${worker.id.slice(0, 8)} on ${worker.adapter}: waiting for runs`);
    onShutdown(async () => {
      await worker.stop();
      await db.$disconnect();
    });
  } catch (error) {
    await db.$disconnect();
    if (error instanceof NoAdapterError) fail(error.message, EXIT_NO_ADAPTER);
    throw error;
  }
}

export function serveWeb(config: LabConfig): void {
  ensureWebBuilt();
  const web = spawnWeb(config.webPort, config.apiUrl, config.webHost);
  console.log(`dashboard: http://${config.webHost}:${config.webPort} (API ${config.apiUrl})`);
  web.on('exit', (code) => process.exit(code ?? 1));
  onShutdown(async () => {
    web.kill('SIGTERM');
    await new Promise((resolve) => web.once('exit', resolve));
  });
}
