import { applyMigrations } from '../db/migrate.ts';
import { installQueueSchema } from './queue.ts';

/**
 * Brings a database to the lab's schema: Prisma's migrations, then the queue's own tables. Here
 * rather than in db/ because the queue is built on the database, not the other way round.
 */
export async function migrateDatabase(databaseUrl: string): Promise<{ applied: string[] }> {
  const result = await applyMigrations(databaseUrl);
  await installQueueSchema(databaseUrl);
  return result;
}
