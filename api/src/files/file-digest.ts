import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface FileDigest {
  bytes: number;
  sha256: string;
}

/**
 * Size and SHA-256 of the files' bytes read one after another, in the order given, streamed so
 * no file is held in memory. For a single file this is its `sha256sum`.
 */
export async function digestFiles(files: readonly string[]): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const file of files) {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Every regular file under `directory`, as paths sorted by their name relative to it. */
export async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort((a, b) => (path.relative(directory, a) < path.relative(directory, b) ? -1 : 1));
}

/** A file's digest, or a folder's: its files' bytes in relative-name order. */
export async function digestPath(target: string): Promise<FileDigest> {
  const info = await stat(target);
  return digestFiles(info.isDirectory() ? await filesUnder(target) : [target]);
}
