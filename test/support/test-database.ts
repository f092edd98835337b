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
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
