import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { migrationAdapter } from './api/src/db/migration-adapter.ts';

// Prisma's Wasm schema engine (engine: 'js') runs migrations without downloading native binaries,
// which the project's offline machines cannot fetch.
export default defineConfig({
  engine: 'js',
  experimental: { adapter: true },
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter: migrationAdapter,
});
