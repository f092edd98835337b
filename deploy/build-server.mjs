// Compiles the lab's server code (the `lab` command with the API, the worker and the engine) into
// plain JavaScript, so that the image starts without transpiling TypeScript. Used by
// deploy/runtime-layout.mjs, after `npm ci` has generated the Prisma client. Packages stay in
// node_modules; the lab's own workspaces (@factorlab/*) are TypeScript and are compiled in.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bare imports other than the lab's own workspaces are loaded from node_modules at run time. */
const packagesExternal = {
  name: 'packages-external',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@factorlab/') || args.path.startsWith('node:')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Writes the compiled `lab` command to OUTDIR/lab.js (with its lazily loaded chunks). OUTDIR must
 * be ROOT/api/dist for a runtime root ROOT: api/src/config.ts finds the root two levels up.
 */
export async function buildServer(outdir) {
  await build({
    absWorkingDir: repoRoot,
    entryPoints: { lab: 'deploy/lab-main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    tsconfig: 'api/tsconfig.json',
    sourcemap: true,
    plugins: [packagesExternal],
    logLevel: 'warning',
  });
}
