import { afterEach, describe, expect, it } from 'vitest';
import { migrationAdapter } from '../../api/src/db/migration-adapter.ts';
import { databaseTargets } from '../../test/support/test-database.ts';

const savedUrl = process.env.DATABASE_URL;
afterEach(() => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
});

function withParameters(url: string, parameters: Record<string, string>): string {
  const withParams = new URL(url);
  for (const [name, value] of Object.entries(parameters)) {
    withParams.searchParams.set(name, value);
  }
  return withParams.toString();
}

/** Connects the way Prisma's schema engine does during `migrate` and runs one query. */
async function queryThroughMigrationAdapter(url: string, sql: string): Promise<unknown[][]> {
  process.env.DATABASE_URL = url;
  const factory = await migrationAdapter();
  const adapter = await factory.connect();
  try {
    const result = await adapter.queryRaw({ sql, args: [], argTypes: [] });
    return result.rows;
  } finally {
    await adapter.dispose();
  }
}

describe.each(databaseTargets())(
  "the migration adapter keeps DATABASE_URL's parameters, on the $name PostgreSQL",
  (target) => {
    it('applies application_name and options from the URL to the connection', async () => {
      const url = withParameters(target.templateUrl, {
        application_name: 'factorlab-migrate-check',
        options: '-c search_path=factorlab_check,public',
      });
      const rows = await queryThroughMigrationAdapter(
        url,
        "SELECT current_setting('application_name'), current_setting('search_path')",
      );
      expect(rows).toEqual([['factorlab-migrate-check', 'factorlab_check,public']]);
    });

    it('insists on TLS when the URL says sslmode=require (this server offers none)', async () => {
      const rows = await queryThroughMigrationAdapter(
        target.templateUrl,
        "SELECT current_setting('ssl')",
      );
      expect(rows).toEqual([['off']]);
      const url = withParameters(target.templateUrl, { sslmode: 'require' });
      // adapter-pg reports pg's "The server does not support SSL connections" by its kind.
      await expect(queryThroughMigrationAdapter(url, 'SELECT 1')).rejects.toThrow(
        'TlsConnectionError',
      );
    });
  },
);
