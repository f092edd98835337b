import { execFileSync, spawnSync } from 'node:child_process';

/** The account PostgreSQL runs under when the lab runs as root (the server refuses root). */
export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

export const runningAsRoot = process.getuid?.() === 0;

const NAME = 'postgres';

function lookUp(): SystemUser | null {
  try {
    const uid = Number(execFileSync('id', ['-u', NAME], { encoding: 'utf8', stdio: 'pipe' }));
    const gid = Number(execFileSync('id', ['-g', NAME], { encoding: 'utf8', stdio: 'pipe' }));
    return { name: NAME, uid, gid };
  } catch {
    return null;
  }
}

function groupExists(): boolean {
  return spawnSync('getent', ['group', NAME], { stdio: 'ignore' }).status === 0;
}

/** The system user `postgres`, created (with its group, no home, no login) when missing. */
export function ensurePostgresUser(): SystemUser {
  const found = lookUp();
  if (found) return found;
  try {
    if (!groupExists()) execFileSync('groupadd', ['--system', NAME], { stdio: 'pipe' });
    execFileSync('useradd', ['--system', '--gid', NAME, '--no-create-home', NAME], {
      stdio: 'pipe',
    });
  } catch (error) {
    throw new Error(
      `PostgreSQL refuses to run as root, and creating the system user "${NAME}" for it failed ` +
        `(${(error as Error).message.trim()}): create that user, run the lab as a normal user, ` +
        'or set DATABASE_URL to use a PostgreSQL server',
    );
  }
  const created = lookUp();
  if (!created) throw new Error(`the system user "${NAME}" was created but cannot be found`);
  return created;
}

/** Whether `user` can enter the directory `dir` (every parent included, ACLs and all). */
export function canEnter(user: SystemUser, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/** Whether `user` can run the program at `file` (it is reachable and executes). */
export function canRun(user: SystemUser, file: string): boolean {
  return spawnSync(file, ['--version'], { uid: user.uid, gid: user.gid }).status === 0;
}
