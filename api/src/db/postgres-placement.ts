import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { relocatedInstall, type PostgresInstall } from './postgres-install.ts';
import { canEnter, canRun, type SystemUser } from './postgres-system-user.ts';

/**
 * As root, PostgreSQL runs as the system user `postgres`, which cannot enter a clone under /root or
 * in a mode-700 folder. What it cannot reach is placed in this folder instead (world-enterable).
 */
export const DEFAULT_SHARED_DIR = '/var/lib/factorlab';

async function exists(file: string): Promise<boolean> {
  return fs
    .access(file)
    .then(() => true)
    .catch(() => false);
}

async function makeEnterableDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.chmod(dir, 0o755);
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL runs as the system user "postgres" when the lab runs as root, and ` +
        `that user cannot enter this repository, so the lab places the database in ${dir}, ` +
        `which it cannot create (${(error as NodeJS.ErrnoException).code}): move the repository ` +
        'to a folder every user may enter, run the lab as a normal user, or set DATABASE_URL',
    );
  }
}

/**
 * The installation itself when `user` can run it, else a copy of it in `sharedDir` (made once per
 * version; copied under a temporary name and renamed, so a concurrent start never sees half).
 */
export async function reachableInstall(
  install: PostgresInstall,
  user: SystemUser,
  sharedDir: string,
): Promise<PostgresInstall> {
  if (canRun(user, install.initdb)) return install;
  await makeEnterableDir(sharedDir);
  const target = path.join(sharedDir, install.id);
  if (!(await exists(path.join(target, 'bin')))) {
    const partial = `${target}.partial-${process.pid}`;
    await fs.rm(partial, { recursive: true, force: true });
    await fs.cp(install.dir, partial, { recursive: true, verbatimSymlinks: true });
    await fs.chmod(partial, 0o755);
    try {
      await fs.rename(partial, target);
    } catch (error) {
      await fs.rm(partial, { recursive: true, force: true });
      if (!(await exists(path.join(target, 'bin')))) throw error;
    }
  }
  const relocated = relocatedInstall(install, target);
  if (!canRun(user, relocated.initdb)) {
    throw new Error(
      `the system user "${user.name}" cannot run ${relocated.initdb} either: make ${sharedDir} ` +
        'and its parents enterable by all users (chmod o+x), or set DATABASE_URL',
    );
  }
  return relocated;
}

/**
 * Where the cluster of `dataDir` lives: `<dataDir>/postgres` when `user` can enter `dataDir`;
 * otherwise a folder in `sharedDir` named after `dataDir`'s real path, which `<dataDir>/postgres`
 * links to so the data is found (and shown) from the lab's own folder.
 */
export async function reachableClusterDir(
  dataDir: string,
  user: SystemUser,
  sharedDir: string,
): Promise<string> {
  const inPlace = path.join(dataDir, 'postgres');
  const link = await fs.readlink(inPlace).catch(() => null);
  if (link !== null) return path.resolve(dataDir, link);
  await fs.chmod(dataDir, 0o755);
  if (canEnter(user, dataDir)) return inPlace;
  if (await exists(path.join(inPlace, 'PG_VERSION'))) {
    throw new Error(
      `the embedded PostgreSQL in ${inPlace} runs as the system user "${user.name}" when the lab ` +
        `runs as root, and that user can no longer enter ${dataDir}: make its parents ` +
        `enterable (chmod o+x), or move ${inPlace} to a new folder and link it there`,
    );
  }
  const realDataDir = await fs.realpath(dataDir);
  const key = createHash('sha256').update(realDataDir).digest('hex').slice(0, 12);
  const clustersDir = path.join(sharedDir, 'clusters');
  await makeEnterableDir(sharedDir);
  await makeEnterableDir(clustersDir);
  const shared = path.join(clustersDir, `${path.basename(path.dirname(realDataDir))}-${key}`);
  await fs.mkdir(shared, { recursive: true });
  await fs.rmdir(inPlace).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') {
      throw new Error(
        `${inPlace} holds files but no PostgreSQL cluster: remove it, then start again`,
      );
    }
  });
  await fs.symlink(shared, inPlace);
  return shared;
}
