import { stat } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { PathRoots } from '../files/path-roots.ts';
import { registerModel } from '../graphql/models/models.service.ts';

/** The model the lab ships (models/demo, built by `lab pretrain --config models/demo/pretrain.json`). */
export const DEMO_MODEL = { name: 'demo', directory: path.join(repoRoot, 'models', 'demo') };

/**
 * Registers the shipped demo model once, so a fresh lab has a model to work on: nothing when a
 * model of that name is registered already or the folder holds no weights. Returns what it did.
 */
export async function registerDemoModel(
  db: Db,
  paths: PathRoots,
  demo: { name: string; directory: string } = DEMO_MODEL,
): Promise<'registered' | 'already registered' | 'not built'> {
  const built = await stat(path.join(demo.directory, 'model.safetensors')).then(
    () => true,
    () => false,
  );
  if (!built) return 'not built';
  if (await db.registeredModel.findUnique({ where: { name: demo.name }, select: { id: true } }))
    return 'already registered';
  await registerModel(db, { name: demo.name, path: demo.directory }, paths);
  return 'registered';
}
