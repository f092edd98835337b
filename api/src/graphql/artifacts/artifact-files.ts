import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { GraphQLError } from 'graphql';
import type { Db } from '../../db/client.ts';
import type { Artifact as ArtifactRow } from '../../db/generated/client.ts';
import { filesUnder } from '../../files/file-digest.ts';
import { PathRefusedError, type PathRoots } from '../../files/path-roots.ts';
import { badUserInput, ErrorCode, forbidden, notFound } from '../errors.ts';
import { isUuid } from '../ids.ts';

export type { ArtifactRow };

/** One file of an artifact: its name in the artifact (slash-separated), where it is, its size. */
export interface ArtifactFile {
  name: string;
  absolute: string;
  bytes: number;
}

/** An artifact as this machine holds it: a lone file, or a folder's regular files. */
export interface ArtifactOnDisk {
  artifact: ArtifactRow;
  shape: 'file' | 'folder';
  /** The file's or folder's own name, as the worker named it. */
  baseName: string;
  /**
   * In the order the worker's digest read them (relative names sorted): their bytes in this
   * order hash to the recorded sha256.
   */
  files: ArtifactFile[];
}

/** "artifact <id> (the checkpoint of run <run> at step 4)": what messages call it. */
export function describeArtifact(artifact: ArtifactRow): string {
  const step = artifact.step === null ? '' : ` at step ${artifact.step}`;
  return `artifact ${artifact.id} (the ${artifact.kind.toLowerCase()} of run ${artifact.runId}${step})`;
}

/** The artifact with id `id`: BAD_USER_INPUT when it cannot be an id, NOT_FOUND when none is. */
export async function findArtifact(db: Db, id: string): Promise<ArtifactRow> {
  if (!isUuid(id)) {
    const shown = id.length > 60 ? `${id.slice(0, 60)}…` : id;
    throw badUserInput(
      'artifactId',
      `${JSON.stringify(shown)} is not an artifact id: give the UUID that run.artifacts { id } lists`,
    );
  }
  const artifact = await db.artifact.findUnique({ where: { id } });
  if (!artifact) throw notFound('artifact', id);
  return artifact;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** NOT_FOUND for an artifact whose file is not here; its path lies inside the roots. */
export function artifactGone(artifact: ArtifactRow): GraphQLError {
  return new GraphQLError(
    `${describeArtifact(artifact)} is not on this API's machine: ${artifact.path} is gone. ` +
      'Its run may have deleted it (a pretrain run keeps only its newest checkpoints), or its ' +
      'worker ran on another machine without storage shared with the API: share that folder ' +
      'at the same path with the API, or copy the file from the worker',
    { extensions: { code: ErrorCode.NOT_FOUND } },
  );
}

/** Refuses an artifact the roots do not allow, without naming its path (it may lie outside). */
function refused(artifact: ArtifactRow, error: PathRefusedError, paths: PathRoots): GraphQLError {
  if (error.reason === 'too-large') {
    return forbidden(
      `${describeArtifact(artifact)} is larger than the ${paths.maxBytes} bytes this API serves ` +
        'at most: raise FACTORLAB_MAX_FILE_BYTES where the API runs to serve it',
    );
  }
  return forbidden(
    `${describeArtifact(artifact)} lies outside the folders this API may serve, or links to ` +
      'files outside them (its worker may have written it on another machine): add its folder ' +
      'to FACTORLAB_PATH_ROOTS where the API runs to serve it',
  );
}

/**
 * Finds the artifact's file or folder on this machine: FORBIDDEN when it lies outside `paths`
 * (links resolved) or over their size cap, NOT_FOUND when it is gone, CONFLICT when its size is
 * no longer the one recorded (its bytes would not hash to the recorded sha256).
 */
export async function locateArtifact(
  artifact: ArtifactRow,
  paths: PathRoots,
): Promise<ArtifactOnDisk> {
  try {
    await paths.confine(artifact.path);
  } catch (error) {
    if (error instanceof PathRefusedError) throw refused(artifact, error, paths);
    throw error;
  }
  let resolved: string;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    resolved = await realpath(artifact.path);
    info = await stat(resolved);
  } catch (error) {
    if (isMissing(error)) throw artifactGone(artifact);
    throw error;
  }
  const baseName = path.basename(artifact.path);
  let located: ArtifactOnDisk;
  if (info.isFile()) {
    located = {
      artifact,
      shape: 'file',
      baseName,
      files: [{ name: baseName, absolute: resolved, bytes: info.size }],
    };
  } else if (info.isDirectory()) {
    // Regular files only, as the worker's digest read them; links inside are not served.
    const files: ArtifactFile[] = [];
    for (const absolute of await filesUnder(resolved)) {
      const fileInfo = await stat(absolute).catch((error: unknown) => {
        if (isMissing(error)) throw artifactGone(artifact);
        throw error;
      });
      const name = path.relative(resolved, absolute).split(path.sep).join('/');
      files.push({ name, absolute, bytes: fileInfo.size });
    }
    located = { artifact, shape: 'folder', baseName, files };
  } else {
    throw forbidden(`${describeArtifact(artifact)} is neither a file nor a folder`);
  }
  const bytes = located.files.reduce((sum, file) => sum + file.bytes, 0);
  if (BigInt(bytes) !== artifact.bytes) {
    throw new GraphQLError(
      `${describeArtifact(artifact)} changed since its worker recorded it: it held ` +
        `${artifact.bytes} bytes then and ${bytes} now, so it would not match its sha256 ` +
        `${artifact.sha256}`,
      { extensions: { code: ErrorCode.CONFLICT } },
    );
  }
  return located;
}
