import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { repoRoot } from '../config.ts';

const migrationsDir = path.join(repoRoot, 'prisma', 'migrations');
const prismaCli = path.join(repoRoot, 'api', 'bin', 'prisma.js');

async function migrationNames(): Promise<string[]> {
  const entries = await fs.readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function appliedMigrationNames(databaseUrl: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const table = await client.query(`SELECT to_regclass('public._prisma_migrations') AS name`);
    if (!table.rows[0]?.name) return new Set();
    const rows = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return new Set(rows.rows.map((r) => r.migration_name));
  } finally {
    await client.end();
  }
}

function runPrisma(args: string[], databaseUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [prismaCli, ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`prisma ${args.join(' ')} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

/**
 * Applies Prisma's reviewed SQL migrations that a database lacks. Skips Prisma's CLI (about 12 s
 * per start) when every migration is already applied.
 */
export async function applyMigrations(databaseUrl: string): Promise<{ applied: string[] }> {
  const [wanted, applied] = await Promise.all([
    migrationNames(),
    appliedMigrationNames(databaseUrl),
  ]);
  const pending = wanted.filter((name) => !applied.has(name));
  if (pending.length > 0) await runPrisma(['migrate', 'deploy'], databaseUrl);
  return { applied: pending };
}
