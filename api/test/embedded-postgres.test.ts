import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../api/src/db/embedded.ts';
import { bundledPostgresInstall, relocatedInstall } from '../../api/src/db/postgres-install.ts';
import { runningAsRoot } from '../../api/src/db/postgres-system-user.ts';
import { freePort } from '../../test/support/ports.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(prefix: string, mode: number): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dir, mode);
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the embedded PostgreSQL', () => {
  it('keeps its data in <dataDir>/postgres across restarts', async () => {
    const dataDir = path.join(await tempDir('factorlab-embedded-', 0o755), '.lab');
    const first = await startEmbeddedPostgres(dataDir, await freePort());
    await query(first.url, 'CREATE TABLE kept (value int); INSERT INTO kept VALUES (42)');
    await first.stop();
    expect(first.clusterDir).toBe(path.join(dataDir, 'postgres'));
    expect((await fs.lstat(first.clusterDir)).isDirectory()).toBe(true);

    const second = await startEmbeddedPostgres(dataDir, await freePort());
    try {
      expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 42 }]);
    } finally {
      await second.stop();
    }
  });

  // PostgreSQL refuses root, so as root it runs as the system user postgres, which cannot enter
  // a clone under /root or in a mode-700 folder: neither its binaries nor its data folder.
  describe.runIf(runningAsRoot)(
    'as root, in a folder the system user postgres cannot enter',
    () => {
      it('places binaries and data where that user can reach them, and restarts on them', async () => {
        const clone = await tempDir('factorlab-mode-700-', 0o700);
        const bundled = await bundledPostgresInstall();
        const install = relocatedInstall(bundled, path.join(clone, 'node_modules', 'postgres'));
        await fs.cp(bundled.dir, install.dir, { recursive: true, verbatimSymlinks: true });
        const sharedDir = await tempDir('factorlab-shared-', 0o755);
        const dataDir = path.join(clone, '.lab');

        const first = await startEmbeddedPostgres(dataDir, await freePort(), {
          install,
          sharedDir,
        });
        await query(first.url, 'CREATE TABLE kept (value int); INSERT INTO kept VALUES (7)');
        await first.stop();
        expect(first.clusterDir.startsWith(path.join(sharedDir, 'clusters') + path.sep)).toBe(true);
        expect(await fs.readlink(path.join(dataDir, 'postgres'))).toBe(first.clusterDir);
        expect(await fs.readdir(sharedDir)).toContain(bundled.id);

        const second = await startEmbeddedPostgres(dataDir, await freePort(), {
          install,
          sharedDir,
        });
        try {
          expect(second.clusterDir).toBe(first.clusterDir);
          expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 7 }]);
        } finally {
          await second.stop();
        }
      });

      it('says what to do when it cannot create the folder it would place the data in', async () => {
        const clone = await tempDir('factorlab-mode-700-', 0o700);
        const notADir = path.join(await tempDir('factorlab-shared-', 0o755), 'file');
        await fs.writeFile(notADir, '');

        await expect(
          startEmbeddedPostgres(path.join(clone, '.lab'), await freePort(), {
            sharedDir: path.join(notADir, 'factorlab'),
          }),
        ).rejects.toThrow(/which it cannot create \(ENOTDIR\): move the repository/);
      });

      it('refuses, naming the fix, a cluster left in a folder that user can no longer enter', async () => {
        const clone = await tempDir('factorlab-mode-700-', 0o700);
        const stranded = path.join(clone, '.lab', 'postgres');
        await fs.mkdir(stranded, { recursive: true });
        await fs.writeFile(path.join(stranded, 'PG_VERSION'), '18\n');
        const sharedDir = await tempDir('factorlab-shared-', 0o755);

        await expect(
          startEmbeddedPostgres(path.join(clone, '.lab'), await freePort(), { sharedDir }),
        ).rejects.toThrow(/can no longer enter .*chmod o\+x/);
      });
    },
  );
});
