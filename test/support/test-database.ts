import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Db } from '../../api/src/db/client.ts';
import type { DatabaseTarget } from './database-targets.ts';

export function databaseTargets(): DatabaseTarget[] {
  return inject('databaseTargets');
}

export interface TestDatabase {
  url: string;
  db: Db;
  /** Plain SQL, for assertions that must not go through the code under test. */
  sql: pg.Pool;
  drop(): Promise<void>;
}

/**
 * Pools close their connections asynchronously after `end()`; dropping the database under a
 * closing connection makes its client throw. Give them a moment before forcing.
 */
async function waitForConnectionsToClose(admin: pg.Client, database: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const { rows } = await admin.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1',
      [database],
    );
    if (rows[0]!.count === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh, migrated database copied from the target's template; drop it when done. */
export async function createTestDatabase(target: DatabaseTarget): Promise<TestDatabase> {
  const name = `factorlab_test_${randomUUID().replaceAll('-', '')}`;
  const templateName = new URL(target.templateUrl).pathname.slice(1);
  const adminUrl = new URL(target.templateUrl);
  // Not connected to the template itself: Postgres copies only templates nobody is connected to.
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(target.templateUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString());
  const sql = new pg.Pool({ connectionString: url.toString(), max: 2 });
  return {
    url: url.toString(),
    db,
    sql,
    drop: async () => {
      await db.$disconnect();
      await sql.end();
      const dropper = new pg.Client({ connectionString: adminUrl.toString() });
      await dropper.connect();
      try {
        await waitForConnectionsToClose(dropper, name);
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
