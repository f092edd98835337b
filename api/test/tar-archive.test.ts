import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extract as tarExtract, type Header } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathRoots } from '../../api/src/files/path-roots.ts';
import { recordArtifact } from '../../api/src/worker/artifact-record.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** Zero bytes after an entry's data, up to the next 512-byte block. */
const padding = (size: number) => (512 - (size % 512)) % 512;
const LOCALE = { ...process.env, LC_ALL: 'C.UTF-8' };

interface TarFile {
  header: Header;
  bytes: Buffer;
}

/** Every entry of an archive with its bytes, in archive order, as tar-stream's extract reads it. */
async function readTar(tar: Uint8Array): Promise<TarFile[]> {
  const reader = tarExtract();
  const files: TarFile[] = [];
  const reading = (async () => {
    for await (const entry of reader) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
      files.push({ header: entry.header, bytes: Buffer.concat(chunks) });
    }
  })();
  reader.end(tar);
  await reading;
  return files;
}

/** The files this process holds open whose path is `file` (Linux: /proc/self/fd). */
async function openHandles(file: string): Promise<number> {
  const real = await realpath(file);
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target === real) count += 1;
  }
  return count;
}

async function waitForNoHandles(file: string): Promise<number> {
  const deadline = Date.now() + 5000;
  let count = await openHandles(file);
  while (count > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    count = await openHandles(file);
  }
  return count;
}

/**
 * GET /artifacts/:id of a folder, read back: the archive tar-stream makes for the route, checked
 * with tar-stream's own extract and with the system's tar, names, sizes and bytes.
 */
describe('folder artifacts downloaded as tar archives', () => {
  let database: TestDatabase;
  let api: TestApi;
  let scratch: string;
  let root: string;
  let runId: string;

  beforeAll(async () => {
    database = await createTestDatabase(databaseTargets()[0]!);
    scratch = await mkdtemp(path.join(tmpdir(), 'factorlab-tar-'));
    root = path.join(scratch, 'root');
    await mkdir(root);
    api = await startTestApi(database, 'off', { paths: new PathRoots([root]) });
    runId = (await queueSelftest(database.db, { size: 8 })).id;
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** Writes `files` under a new folder `name` of the root; its absolute path. */
  async function writeFolder(name: string, files: [string, Uint8Array | string][]) {
    const folder = path.join(root, name);
    for (const [file, bytes] of files) {
      await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
      await writeFile(path.join(folder, file), bytes);
    }
    return folder;
  }

  /** Records `folder` as the worker does (sized and hashed) and returns its row. */
  async function record(folder: string) {
    await recordArtifact(database.db, runId, { kind: 'MODEL', path: folder });
    return database.db.artifact.findFirstOrThrow({
      where: { runId, path: folder },
      orderBy: { createdAt: 'desc' },
    });
  }

  it('reads back every name, size and byte with tar-stream and with tar, in the order the worker hashed them', async () => {
    const deep = `${'segment-'.repeat(4)}/`.repeat(4);
    const files: [string, Uint8Array | string][] = [
      ['config.json', '{"hidden_size": 8}\n'],
      ['empty.txt', ''],
      ['one-block.bin', randomBytes(512)],
      ['weights.bin', randomBytes(3 * 2 ** 20 + 17)],
      // A last segment over the 100 bytes of a ustar name: a pax record.
      [`tokenizer/${'n'.repeat(120)}.json`, 'long\n'],
      // Short segments, 100 bytes and more in all: the ustar prefix field.
      [`${deep}shard.bin`, randomBytes(1000)],
      // Over the 255 bytes of name and prefix together: a pax record.
      [`${deep.repeat(3)}shard.bin`, randomBytes(10)],
      ['notes-é.txt', 'accent\n'],
      ['データ/重み.bin', randomBytes(700)],
    ];
    const folder = await writeFolder('model-a', files);
    const artifact = await record(folder);
    const byName = new Map(files.map(([name, bytes]) => [name, Buffer.from(bytes)]));
    // The worker's digest order: relative names sorted.
    const order = files.map(([name]) => name).sort();

    const response = await fetch(`${api.url}/artifacts/${artifact.id}`);
    expect(response.status).toBe(200);
    const tar = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-length')).toBe(String(tar.length));
    const names = order.map((name) => `model-a/${name}`);

    const entries = await readTar(tar);
    expect(entries.map((entry) => entry.header.name)).toEqual(names);
    for (const [i, entry] of entries.entries()) {
      const expected = byName.get(order[i]!)!;
      expect(entry.header).toMatchObject({
        type: 'file',
        size: expected.length,
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: new Date(Math.floor(artifact.createdAt.getTime() / 1000) * 1000),
      });
      expect(entry.bytes.equals(expected)).toBe(true);
    }
    expect(sha256(Buffer.concat(entries.map((entry) => entry.bytes)))).toBe(artifact.sha256);

    const archive = path.join(scratch, 'model-a.tar');
    await writeFile(archive, tar);
    const listed = execFileSync('tar', ['--quoting-style=literal', '-tf', archive], {
      encoding: 'utf8',
      env: LOCALE,
    });
    expect(listed.trim().split('\n')).toEqual(names);
    const out = path.join(scratch, 'model-a-extracted');
    await mkdir(out);
    execFileSync('tar', ['-xf', archive, '-C', out], { env: LOCALE });
    for (const name of order) {
      expect((await readFile(path.join(out, 'model-a', name))).equals(byName.get(name)!)).toBe(
        true,
      );
    }
    expect(sha256(execFileSync('tar', ['-xOf', archive], { maxBuffer: 2 ** 26 }))).toBe(
      artifact.sha256,
    );
  });

  it('writes the size of a file of 8 GiB and more so tar-stream and tar read it, and closes the file when the client goes', async () => {
    const big = 2 ** 33 + 1000;
    const folder = await writeFolder('model-big', [['config.json', '{}\n']]);
    const weights = path.join(folder, 'model.safetensors');
    await writeFile(weights, '');
    await truncate(weights, big); // sparse: nothing written
    // Recorded without hashing 8 GiB: the route checks sizes, not the digest.
    const artifact = await database.db.artifact.create({
      data: { runId, kind: 'MODEL', path: folder, bytes: BigInt(big + 3), sha256: '0'.repeat(64) },
    });
    const total = 512 + 512 + 512 + big + padding(big) + 1024;

    const head = await fetch(`${api.url}/artifacts/${artifact.id}`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(total));

    // Read until the big file's header has come, then hang up.
    const abort = new AbortController();
    const response = await fetch(`${api.url}/artifacts/${artifact.id}`, { signal: abort.signal });
    expect(response.headers.get('content-length')).toBe(String(total));
    const reader = tarExtract();
    const headers: Header[] = [];
    const bigHeader = new Promise<void>((resolve) => {
      reader.on('entry', (header, stream, next) => {
        headers.push(header);
        if (headers.length === 2) resolve();
        stream.on('end', () => next());
        stream.resume();
      });
    });
    const received: Buffer[] = [];
    const body = response.body!.getReader();
    let arrived = false;
    void bigHeader.then(() => (arrived = true));
    while (!arrived) {
      const { value } = await body.read();
      received.push(Buffer.from(value!));
      reader.write(Buffer.from(value!));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(headers.map((header) => [header.name, header.size])).toEqual([
      ['model-big/config.json', 3],
      ['model-big/model.safetensors', big],
    ]);
    expect(await openHandles(weights)).toBe(1);
    abort.abort();
    reader.destroy();
    expect(await waitForNoHandles(weights)).toBe(0);

    // GNU tar reads the same size from the start of the archive (it stops at the cut).
    const partial = path.join(scratch, 'model-big.partial.tar');
    await writeFile(partial, Buffer.concat(received));
    let listing = '';
    try {
      listing = execFileSync('tar', ['-tvf', partial], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      listing = String((error as { stdout: string }).stdout);
    }
    expect(listing).toMatch(new RegExp(`\\s${big}\\s.*model-big/model\\.safetensors`));
  });

  it('cuts the download when a file shrinks after the archive was sized, and closes it', async () => {
    // The first file is larger than the socket's buffers, so the server is still sending it
    // when the second shrinks.
    const folder = await writeFolder('model-shrinking', [
      ['a.bin', randomBytes(64 * 2 ** 20)],
      ['b.bin', randomBytes(2 ** 20)],
    ]);
    const artifact = await record(folder);
    const response = await fetch(`${api.url}/artifacts/${artifact.id}`);
    expect(response.status).toBe(200);
    await truncate(path.join(folder, 'b.bin'), 1000);
    await expect(response.arrayBuffer()).rejects.toThrow();
    expect(await waitForNoHandles(path.join(folder, 'b.bin'))).toBe(0);
    expect(await waitForNoHandles(path.join(folder, 'a.bin'))).toBe(0);
  });
});
