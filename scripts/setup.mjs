#!/usr/bin/env node
// @ts-check
// `npm start` and `npm test` run this before the lab: on a fresh clone it installs what the lab
// needs (the npm dependencies; a WebGPU driver and the tests' system packages where it may), and
// does nothing once that is done. Plain Node without dependencies: node_modules may not exist yet.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setUp } from './setup/set-up.mjs';

const purpose = process.argv[2];
if (purpose !== 'start' && purpose !== 'test') {
  console.error('usage: node scripts/setup.mjs start|test');
  process.exit(2);
}
try {
  setUp(purpose, path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
} catch (error) {
  console.error(`set-up: error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
