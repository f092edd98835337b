#!/usr/bin/env node
// The `lab` command. The sources are TypeScript, run through tsx's loader with the repository's
// api tsconfig (decorators), whatever directory the command is started from.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));
register({ tsconfig: path.join(here, '..', 'tsconfig.json') });
const { main } = await import('../src/cli/lab.ts');
await main(process.argv);
