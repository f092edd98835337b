import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

// Catalog types that Prisma's migration engine reads from pg_catalog but @prisma/adapter-pg 6.19
// cannot deserialise ("Column type 'name' could not be deserialized"). Their text form is what the
// engine wants, so the migration connection reports them as text / text[].
const TEXT_OID = 25;
const TEXT_ARRAY_OID = 1009;
const CATALOG_SCALAR_OIDS = new Set([
  18, 19, 22, 24, 28, 29, 30, 194, 1033, 2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089, 4096,
]);
const CATALOG_ARRAY_OIDS = new Set([1002, 1003, 1006, 1008, 1010, 1011, 1012, 1013, 1028, 1034]);

interface FieldLike {
  dataTypeID: number;
}

function reportCatalogTypesAsText(result: unknown): void {
  for (const res of Array.isArray(result) ? result : [result]) {
    const fields = (res as { fields?: FieldLike[] } | undefined)?.fields ?? [];
    for (const field of fields) {
      if (CATALOG_SCALAR_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
      else if (CATALOG_ARRAY_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_ARRAY_OID;
    }
  }
}

class CatalogAsTextClient extends pg.Client {
  // pg's Pool calls query with a callback; the adapter calls it with promises. Patch both.
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === 'function') {
      const callback = last as (err: unknown, res: unknown) => void;
      args[args.length - 1] = (err: unknown, res: unknown) => {
        if (!err) reportCatalogTypesAsText(res);
        callback(err, res);
      };
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const pending = (super.query as (...a: unknown[]) => unknown)(...args);
    if (pending instanceof Promise) {
      return pending.then((res: unknown) => {
        reportCatalogTypesAsText(res);
        return res;
      }) as never;
    }
    return pending as never;
  }
}

interface ScriptRunner {
  client: { query(sql: string): Promise<unknown> };
  onError(error: unknown): never;
  executeScript(script: string): Promise<void>;
}

/**
 * adapter-pg 6.19 runs a migration script by splitting it on every `;`, which cuts apart
 * dollar-quoted function bodies and runs the pieces outside any transaction. Postgres takes the
 * whole script as one simple query instead, atomically.
 */
function runScriptsWhole<T>(adapter: T): T {
  const runner = adapter as unknown as ScriptRunner;
  runner.executeScript = async (script: string) => {
    try {
      await runner.client.query(script);
    } catch (error) {
      runner.onError(error);
    }
  };
  return adapter;
}

class MigrationPrismaPg extends PrismaPg {
  override async connect() {
    return runScriptsWhole(await super.connect());
  }

  override async connectToShadowDb() {
    return runScriptsWhole(await super.connectToShadowDb());
  }
}

/**
 * The driver adapter Prisma's schema engine uses for `migrate`. The connection is given as discrete
 * fields, not a connection string: with a string, adapter-pg 6.19 applies `migrate dev` to the main
 * database instead of its shadow database. The fields come from pg's own parser, so the URL's
 * parameters (`sslmode`, `sslrootcert`, `application_name`, `options`, ...) apply here exactly as
 * they do to the lab's other connections.
 */
export function migrationAdapter(): Promise<PrismaPg> {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error('DATABASE_URL is not set: point it at the PostgreSQL database to migrate');
  const pool = new pg.Pool({
    ...parseIntoClientConfig(url),
    Client: CatalogAsTextClient,
    allowExitOnIdle: true,
    idleTimeoutMillis: 200,
  });
  return Promise.resolve(new MigrationPrismaPg(pool));
}
