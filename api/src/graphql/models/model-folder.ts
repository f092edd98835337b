import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  Checkpoint,
  llamaTensorSpecs,
  WEIGHTS_FILE,
  WEIGHTS_INDEX_FILE,
  type ModelConfig,
} from '@factorlab/gpu';
import { digestFiles, type FileDigest } from '../../files/file-digest.ts';

export interface ModelFolder extends FileDigest {
  config: ModelConfig;
  parameterCount: number;
}

/** The parameters a config declares: every tensor of its Llama layout. */
export function parameterCount(config: ModelConfig): number {
  return llamaTensorSpecs(config).reduce(
    (total, { shape }) => total + shape.reduce((product, dim) => product * dim, 1),
    0,
  );
}

/** The weight files of a checkpoint folder that opened cleanly, in name order. */
async function weightFiles(directory: string): Promise<string[]> {
  const single = path.join(directory, WEIGHTS_FILE);
  if (
    await stat(single).then(
      (info) => info.isFile(),
      () => false,
    )
  )
    return [single];
  const index = JSON.parse(await readFile(path.join(directory, WEIGHTS_INDEX_FILE), 'utf8')) as {
    weight_map: Record<string, string>;
  };
  return [...new Set(Object.values(index.weight_map))]
    .sort()
    .map((shard) => path.join(directory, shard));
}

/**
 * Opens a checkpoint folder as the engine would (config.json checked, every tensor's shape against
 * it), then hashes its weights by streaming them. Throws the engine's ModelFileError, naming the
 * file and the problem, for anything malformed.
 */
export async function inspectModelFolder(directory: string): Promise<ModelFolder> {
  const checkpoint = await Checkpoint.open(directory);
  const config = checkpoint.config;
  await checkpoint.close();
  const digest = await digestFiles(await weightFiles(directory));
  return { config, parameterCount: parameterCount(config), ...digest };
}
