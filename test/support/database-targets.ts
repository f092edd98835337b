/** The PostgreSQL servers the database tests run against. */
export type DatabaseTargetName = 'embedded' | 'server';

export interface DatabaseTarget {
  name: DatabaseTargetName;
  /** A database holding the current schema, to copy (CREATE DATABASE ... TEMPLATE) per test file. */
  templateUrl: string;
}

/**
 * The server target runs when FACTORLAB_TEST_SERVER_URL names a PostgreSQL server database that
 * the tests may create databases from (CI sets it to the machine's server at 127.0.0.1:5432).
 */
export function serverUrlFromEnv(): string | undefined {
  return process.env.FACTORLAB_TEST_SERVER_URL || undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseTargets: DatabaseTarget[];
  }
}
