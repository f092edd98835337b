#!/usr/bin/env node
// Lays out what the lab's runtime image holds besides node_modules, from a checkout after `npm ci`:
// the compiled lab command and the files migrations read. node deploy/runtime-layout.mjs DEST
// The Dockerfile copies DEST into the image; test/deploy-runtime.test.ts starts the API and a
// worker from the same layout, so what the image runs is what the test ran.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from './build-server.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Paths, relative to the repository root, that the runtime image holds. */
export const RUNTIME_PATHS = [
  // "type": "module" for the compiled code, and the workspaces npm installs production deps for.
  'package.json',
  'package-lock.json',
  'api/package.json',
  'gpu/package.json',
  'web/package.json',
  // `lab migrate`: Prisma's CLI reads the schema, the migrations and prisma.config.ts, which loads
  // the migration adapter (Prisma's config loader compiles these two files; only migrate runs them).
  'api/bin/prisma.js',
  'prisma.config.ts',
  'api/src/db/migration-adapter.ts',
  'prisma/schema.prisma',
  'prisma/migrations',
  'deploy/healthcheck.mjs',
];

/** DEST/api/dist/lab.js is the compiled `lab` command; DEST needs node_modules beside it. */
export async function layOutRuntime(dest) {
  await buildServer(path.join(dest, 'api', 'dist'));
  for (const entry of RUNTIME_PATHS) {
    fs.cpSync(path.join(repoRoot, entry), path.join(dest, entry), { recursive: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dest = process.argv[2];
  if (!dest) {
    console.error('usage: node deploy/runtime-layout.mjs DEST');
    process.exit(2);
  }
  await layOutRuntime(path.resolve(dest));
}
