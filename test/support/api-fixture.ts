import { afterAll, beforeAll } from 'vitest';
import type { AuthMode } from '../../api/src/auth/viewer.ts';
import { startTestApi, type TestApi } from './api.ts';
import type { DatabaseTarget } from './database-targets.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/**
 * For the enclosing describe block: a fresh database on `target` and the API over it, made before
 * its tests and removed after; `use` receives them once they exist.
 */
export function useApiOnFreshDatabase(
  target: DatabaseTarget,
  use: (fresh: { database: TestDatabase; api: TestApi }) => void,
  auth: AuthMode = 'off',
): void {
  let database: TestDatabase | undefined;
  let api: TestApi | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database, auth);
    use({ database, api });
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });
}
