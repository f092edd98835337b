import { ModelFileError } from '@factorlab/gpu';
import type { Db } from '../../db/client.ts';
import { Prisma, type RegisteredModel } from '../../db/generated/client.ts';
import { badUserInput, conflict } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { listNewestFirst } from '../newest-first.ts';
import type { PathRoots } from '../../files/path-roots.ts';
import { existingPath, validName } from '../registered-name.ts';
import { inspectModelFolder } from './model-folder.ts';
import type { Model, ModelConnection } from './model.type.ts';
import type { RegisterModelInput } from './register-model.input.ts';

export function toModel(row: RegisteredModel): Model {
  return {
    ...row,
    parameterCount: Number(row.parameterCount),
    bytes: Number(row.bytes),
  };
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

export async function listModels(
  db: Db,
  args: { first: number; after?: string | null },
): Promise<ModelConnection> {
  return listNewestFirst(db.registeredModel, args, toModel);
}

export async function findModel(db: Db, id: string): Promise<Model | null> {
  if (!isUuid(id)) throw badUserInput('id', 'is not a model id (a UUID)');
  const row = await db.registeredModel.findUnique({ where: { id } });
  return row ? toModel(row) : null;
}

/**
 * Registers a checkpoint folder: refused with BAD_USER_INPUT naming the file and the problem
 * unless it lies under the lab's path roots, within their size cap, and the engine opens it
 * cleanly; with CONFLICT when the name is taken. The weights are hashed before anything is written.
 */
export async function registerModel(
  db: Db,
  input: RegisterModelInput,
  paths: PathRoots,
): Promise<Model> {
  const name = validName(input.name);
  const directory = await existingPath(input.path, 'path', 'folder', paths);
  if (await db.registeredModel.findUnique({ where: { name }, select: { id: true } })) {
    throw conflict('name', `a model named "${name}" is already registered`);
  }
  let folder;
  try {
    folder = await inspectModelFolder(directory);
  } catch (error) {
    if (error instanceof ModelFileError) throw badUserInput('path', error.message);
    throw error;
  }
  try {
    const row = await db.registeredModel.create({
      data: {
        name,
        path: directory,
        config: folder.config as Prisma.InputJsonValue,
        parameterCount: BigInt(folder.parameterCount),
        bytes: BigInt(folder.bytes),
        sha256: folder.sha256,
      },
    });
    return toModel(row);
  } catch (error) {
    // Registered by someone else while the weights were being hashed.
    if (isUniqueViolation(error)) {
      throw conflict('name', `a model named "${name}" is already registered`);
    }
    throw error;
  }
}
