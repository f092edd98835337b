import type { Db } from '../../db/client.ts';
import type { Dataset as DatasetRow } from '../../db/generated/client.ts';
import { digestPath } from '../../files/file-digest.ts';
import { badUserInput, conflict } from '../errors.ts';
import { isUniqueViolation } from '../models/models.service.ts';
import { listNewestFirst } from '../newest-first.ts';
import type { PathRoots } from '../../files/path-roots.ts';
import { existingPath, validName } from '../registered-name.ts';
import type { Dataset, DatasetConnection, RegisterDatasetInput } from './dataset.type.ts';

const MAX_SOURCE_LENGTH = 1000;

function toDataset(row: DatasetRow): Dataset {
  return {
    ...row,
    tokens: row.tokens === null ? null : Number(row.tokens),
    bytes: row.bytes === null ? null : Number(row.bytes),
  };
}

export async function listDatasets(
  db: Db,
  args: { first: number; after?: string | null },
): Promise<DatasetConnection> {
  return listNewestFirst(db.dataset, args, toDataset);
}

/**
 * Registers a dataset; a local one must lie under the lab's path roots, within their size cap, and
 * is sized and hashed first. CONFLICT when the name is taken.
 */
export async function registerDataset(
  db: Db,
  input: RegisterDatasetInput,
  paths: PathRoots,
): Promise<Dataset> {
  const name = validName(input.name);
  const source = input.source?.trim() || null;
  if ((input.path == null) === (source === null)) {
    throw badUserInput('path', 'give exactly one of path and source');
  }
  if (source && source.length > MAX_SOURCE_LENGTH) {
    throw badUserInput('source', `is longer than ${MAX_SOURCE_LENGTH} characters`);
  }
  const tokens = input.tokens ?? null;
  if (tokens !== null && (!Number.isSafeInteger(tokens) || tokens < 0)) {
    throw badUserInput('tokens', 'must be a whole number, 0 or more');
  }
  const path =
    input.path == null ? null : await existingPath(input.path, 'path', 'file or folder', paths);
  if (await db.dataset.findUnique({ where: { name }, select: { id: true } })) {
    throw conflict('name', `a dataset named "${name}" is already registered`);
  }
  const digest = path ? await digestPath(path) : null;
  try {
    const row = await db.dataset.create({
      data: {
        name,
        path,
        source,
        tokens: tokens === null ? null : BigInt(tokens),
        bytes: digest ? BigInt(digest.bytes) : null,
        sha256: digest?.sha256 ?? null,
      },
    });
    return toDataset(row);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw conflict('name', `a dataset named "${name}" is already registered`);
    }
    throw error;
  }
}
