import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../api/src/db/embedded.ts';
import { migrateDatabase } from '../../api/src/queue/migrate-database.ts';
import { assertWebGpuAdapter } from './adapter-check.ts';
import { freePort } from './ports.ts';
import { serverUrlFromEnv, type DatabaseTarget } from './database-targets.ts';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates a fresh database on the server at `adminUrl` and migrates it; returns its URL. */
async function createTemplate(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const templateUrl = withDatabase(adminUrl, name);
  await migrateDatabase(templateUrl);
  return templateUrl;
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * Checks this machine has a WebGPU adapter, starts an embedded PostgreSQL for the run (and uses the server named by FACTORLAB_TEST_SERVER_URL
 * too, when set), migrates one template database on each, and tells the tests where they are.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  assertWebGpuAdapter();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'factorlab-test-pg-'));
  const embedded = await startEmbeddedPostgres(dataDir, await freePort());
  const templateName = `factorlab_template_${process.pid}`;
  const targets: DatabaseTarget[] = [
    { name: 'embedded', templateUrl: await createTemplate(embedded.url, templateName) },
  ];
  const serverUrl = serverUrlFromEnv();
  if (serverUrl) {
    targets.push({ name: 'server', templateUrl: await createTemplate(serverUrl, templateName) });
  } else {
    console.warn(
      'database tests: FACTORLAB_TEST_SERVER_URL is unset, so they run on the embedded ' +
        'PostgreSQL only (CI also runs them against the server at 127.0.0.1:5432)',
    );
  }
  project.provide('databaseTargets', targets);

  return async () => {
    if (serverUrl) await dropDatabase(serverUrl, templateName);
    await embedded.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
