import path from 'node:path';
import { stat } from 'node:fs/promises';
import { PathRefusedError, type PathRoots } from '../files/path-roots.ts';
import { badUserInput } from './errors.ts';

const MAX_NAME_LENGTH = 200;
const MAX_PATH_LENGTH = 4096;

/** A registered thing's name: trimmed, 1 to 200 characters. */
export function validName(name: string, field = 'name'): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_NAME_LENGTH) {
    throw badUserInput(field, `must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  return trimmed;
}

/**
 * An absolute path under the lab's path roots, within their size cap, that exists on this machine;
 * `kind` says what it must be. The API reads it itself, so a relative path (relative to what?) is
 * refused. The roots are checked before existence, so nothing outside them is revealed.
 */
export async function existingPath(
  value: string,
  field: string,
  kind: 'folder' | 'file or folder',
  paths: PathRoots,
): Promise<string> {
  if (!path.isAbsolute(value) || value.length > MAX_PATH_LENGTH) {
    throw badUserInput(field, `must be an absolute path (${value})`);
  }
  try {
    await paths.confine(value);
  } catch (error) {
    if (error instanceof PathRefusedError) throw badUserInput(field, error.message);
    throw error;
  }
  const info = await stat(value).catch(() => null);
  if (!info) throw badUserInput(field, `${value} does not exist on the API's machine`);
  if (kind === 'folder' && !info.isDirectory()) {
    throw badUserInput(field, `${value} is not a folder`);
  }
  if (!info.isDirectory() && !info.isFile()) {
    throw badUserInput(field, `${value} is neither a file nor a folder`);
  }
  return path.normalize(value);
}
