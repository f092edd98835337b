import { open } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import { pack as tarPack, type Pack } from 'tar-stream';
import { ErrorCode } from '../errors.ts';
import { writeChunk, type HttpRoute } from '../http-route.ts';
import {
  artifactGone,
  describeArtifact,
  findArtifact,
  locateArtifact,
  type ArtifactFile,
  type ArtifactOnDisk,
  type ArtifactRow,
} from './artifact-files.ts';

const READ_CHUNK_BYTES = 1 << 20;

const CONTENT_TYPES: Partial<Record<string, string>> = {
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.jsonl': 'application/jsonl',
};

function contentType(name: string): string {
  return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** `attachment` with an ASCII name for every client and the exact name for those reading RFC 6266. */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** Whether `If-None-Match` names `etag` (compared weakly, as RFC 9110 says for it). */
function notModified(req: Request, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/**
 * Sends the status and headers of a download; false when nothing more is to be sent (a HEAD
 * request, or the client's copy is current and was answered 304).
 */
function beginDownload(
  req: Request,
  res: Response,
  download: { filename: string; contentType: string; bytes: number; etag?: string },
): boolean {
  res.setHeader('cache-control', 'private, no-cache');
  if (download.etag !== undefined) {
    res.setHeader('etag', download.etag);
    if (notModified(req, download.etag)) {
      res.status(304).end();
      return false;
    }
  }
  res.status(200);
  res.setHeader('content-type', download.contentType);
  res.setHeader('content-length', String(download.bytes));
  res.setHeader('content-disposition', attachment(download.filename));
  res.setHeader('x-content-type-options', 'nosniff');
  if (req.method === 'HEAD') {
    res.end();
    return false;
  }
  return true;
}

type OpenFile = Awaited<ReturnType<typeof open>>;

async function openFile(artifact: ArtifactRow, file: ArtifactFile): Promise<OpenFile> {
  try {
    return await open(file.absolute, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw artifactGone(artifact);
    throw error;
  }
}

/**
 * Streams the first `file.bytes` bytes of the open file to the client, a chunk at a time; false
 * when the client went away. A file that shrank since it was sized cuts the response, so the
 * client sees the download fail instead of a short file that claims to be whole.
 */
async function streamFile(
  res: Response,
  artifact: ArtifactRow,
  handle: OpenFile,
  file: ArtifactFile,
): Promise<boolean> {
  let sent = 0;
  try {
    if (file.bytes > 0) {
      const stream = handle.createReadStream({
        start: 0,
        end: file.bytes - 1,
        highWaterMark: READ_CHUNK_BYTES,
        autoClose: false,
      });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (!(await writeChunk(res, chunk))) return false;
        sent += chunk.length;
      }
    }
  } finally {
    await handle.close();
  }
  if (sent < file.bytes) {
    throw new Error(
      `${describeArtifact(artifact)}: ${file.name} shrank to ${sent} bytes while it was sent`,
    );
  }
  return true;
}

/** One file: the artifact itself, or one of its folder's files. */
async function sendOneFile(
  req: Request,
  res: Response,
  located: ArtifactOnDisk,
  file: ArtifactFile,
  etag: string | undefined,
): Promise<void> {
  // Opened before the status is sent, so a file removed since it was found is still a 404.
  const handle = await openFile(located.artifact, file);
  let go = false;
  try {
    go = beginDownload(req, res, {
      filename: path.posix.basename(file.name),
      contentType: contentType(file.name),
      bytes: file.bytes,
      etag,
    });
  } finally {
    if (!go) await handle.close();
  }
  if (go && (await streamFile(res, located.artifact, handle, file))) res.end();
}

/** A tar entry's header as tar-stream takes it: a regular file, readable by all. */
interface TarEntry {
  file: ArtifactFile;
  header: { name: string; size: number; mode: number; mtime: Date };
}

/** Zero bytes tar-stream adds after an entry's data, up to the next 512-byte block. */
function tarPadding(size: number): number {
  return (512 - (size % 512)) % 512;
}

/**
 * The bytes of the archive tar-stream makes of `entries`, before it is made: its header blocks
 * (one block, or a pax header and its records first for a long or non-ASCII name), counted by
 * packing the headers alone, plus each file's bytes and padding. A header's length does not
 * depend on the size it holds: tar-stream writes sizes of 8 GiB and more in base-256 in the same
 * block. Should that change, the archive would not match its Content-Length, and the route cuts
 * it rather than send it.
 */
async function tarBytes(entries: readonly TarEntry[]): Promise<number> {
  const headersOnly = tarPack();
  for (const { header } of entries) headersOnly.entry({ ...header, size: 0 }, Buffer.alloc(0));
  headersOnly.finalize();
  let bytes = 0;
  for await (const chunk of headersOnly as AsyncIterable<Buffer>) bytes += chunk.length;
  return entries.reduce((sum, { header }) => sum + header.size + tarPadding(header.size), bytes);
}

/**
 * Packs the files one after another, each file's first `bytes` bytes piped into its entry with
 * backpressure (a file is read as fast as the client takes the archive), then ends the archive.
 * A file that shrank since it was sized fails, so the client sees the download cut.
 */
async function packFiles(pack: Pack, artifact: ArtifactRow, entries: readonly TarEntry[]) {
  for (const { file, header } of entries) {
    const handle = await openFile(artifact, file);
    try {
      if (file.bytes === 0) {
        pack.entry({ ...header }, Buffer.alloc(0));
        continue;
      }
      const stream = handle.createReadStream({
        start: 0,
        end: file.bytes - 1,
        highWaterMark: READ_CHUNK_BYTES,
        autoClose: false,
      });
      try {
        await pipeline(stream, pack.entry({ ...header }));
      } catch (error) {
        // The file ended early: tar-stream refuses the short entry ("Size mismatch"); say why.
        if (stream.readableEnded && stream.bytesRead < file.bytes) {
          throw new Error(
            `${describeArtifact(artifact)}: ${file.name} shrank to ${stream.bytesRead} bytes ` +
              'while it was sent',
          );
        }
        throw error;
      }
    } finally {
      await handle.close();
    }
  }
  pack.finalize();
}

/**
 * A folder as one tar archive, its files under the folder's name in the order the worker's
 * digest read them (`tar -xOf` of it hashes to the recorded sha256), sized before it starts.
 */
async function sendFolderArchive(req: Request, res: Response, located: ArtifactOnDisk) {
  const { artifact } = located;
  const entries: TarEntry[] = located.files.map((file) => ({
    file,
    header: {
      name: `${located.baseName}/${file.name}`,
      size: file.bytes,
      mode: 0o644,
      mtime: artifact.createdAt,
    },
  }));
  const bytes = await tarBytes(entries);
  const go = beginDownload(req, res, {
    filename: `${located.baseName}.tar`,
    contentType: 'application/x-tar',
    bytes,
    // The archive is the recorded bytes with headers around them: the same content, not the same
    // bytes as those the sha256 was taken of.
    etag: `W/"${artifact.sha256}"`,
  });
  if (!go) return;
  const pack = tarPack();
  // A failure destroys the archive, which ends the loop below; the failure is what it reports.
  const packing = packFiles(pack, artifact, entries).then(
    () => undefined,
    (error: unknown) => {
      pack.destroy(error instanceof Error ? error : new Error(String(error)));
      return error;
    },
  );
  let sent = 0;
  try {
    for await (const chunk of pack as AsyncIterable<Buffer>) {
      sent += chunk.length;
      if (sent > bytes) break;
      // The client went away: leaving the loop destroys the archive and the entry being piped,
      // and packFiles closes the file it had open.
      if (!(await writeChunk(res, chunk))) return;
    }
  } catch (error) {
    // The archive failed: packFiles says why (tar-stream's "Size mismatch" is a shrunk file).
    throw (await packing) ?? error;
  } finally {
    await packing;
  }
  if (sent !== bytes) {
    throw new Error(
      `${describeArtifact(artifact)}: its tar came out ${sent > bytes ? 'longer' : 'shorter'} ` +
        `than the ${bytes} bytes announced`,
    );
  }
  res.end();
}

function artifactId(req: Request): string {
  return String(req.params['artifactId']);
}

/** Where a file of an artifact is served: its name's segments, each URL-encoded. */
function fileHref(artifact: ArtifactRow, name: string): string {
  return `/artifacts/${artifact.id}/files/${name.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * GET /artifacts/:artifactId: the artifact's bytes. A file as it is (ETag: its recorded sha256);
 * a folder (checkpoints, models) as a tar of its files under the folder's name. Needs a VIEWER
 * key, as reading runs does; the file must lie under the API's path roots, links resolved.
 */
export const artifactDownloadRoute: HttpRoute = {
  paths: ['/artifacts/:artifactId'],
  needs: 'VIEWER',
  async handle({ db, paths }, req, res) {
    const located = await locateArtifact(await findArtifact(db, artifactId(req)), paths);
    if (located.shape === 'file') {
      await sendOneFile(req, res, located, located.files[0]!, `"${located.artifact.sha256}"`);
    } else {
      await sendFolderArchive(req, res, located);
    }
  },
};

/**
 * GET /artifacts/:artifactId/files: the artifact's files (a lone file: itself) with their names,
 * sizes and where each is downloaded, e.g. a checkpoint's config.json without its weights.
 */
export const artifactFilesRoute: HttpRoute = {
  paths: ['/artifacts/:artifactId/files'],
  needs: 'VIEWER',
  async handle({ db, paths }, req, res) {
    const located = await locateArtifact(await findArtifact(db, artifactId(req)), paths);
    const { artifact } = located;
    res.setHeader('cache-control', 'no-store');
    res.json({
      artifact: {
        id: artifact.id,
        runId: artifact.runId,
        kind: artifact.kind,
        step: artifact.step,
        bytes: Number(artifact.bytes),
        sha256: artifact.sha256,
        shape: located.shape,
        download: `/artifacts/${artifact.id}`,
      },
      files: located.files.map((file) => ({
        name: file.name,
        bytes: file.bytes,
        download: fileHref(artifact, file.name),
      })),
    });
  },
};

/**
 * GET /artifacts/:artifactId/files/<name>: one file of the artifact, by a name its listing gives
 * (only those: no path is built from the request). ETag only for a lone file, whose digest is
 * its own.
 */
export const artifactFileRoute: HttpRoute = {
  paths: ['/artifacts/:artifactId/files/*name'],
  needs: 'VIEWER',
  async handle({ db, paths }, req, res) {
    const located = await locateArtifact(await findArtifact(db, artifactId(req)), paths);
    const raw = req.params['name'] as unknown;
    const name = Array.isArray(raw) ? raw.join('/') : String(raw);
    const file = located.files.find((candidate) => candidate.name === name);
    if (!file) {
      throw new GraphQLError(
        `${describeArtifact(located.artifact)} has no file ${JSON.stringify(name)}: ` +
          `GET /artifacts/${located.artifact.id}/files lists those it has`,
        { extensions: { code: ErrorCode.NOT_FOUND } },
      );
    }
    const etag = located.shape === 'file' ? `"${located.artifact.sha256}"` : undefined;
    await sendOneFile(req, res, located, file, etag);
  },
};

/** Every route that serves artifacts. */
export const ARTIFACT_ROUTES: readonly HttpRoute[] = [
  artifactDownloadRoute,
  artifactFilesRoute,
  artifactFileRoute,
];
