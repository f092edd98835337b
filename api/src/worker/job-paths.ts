import { DEFAULT_DATA_DIRECTORY } from '@factorlab/gpu';
import type { PathRoots } from '../files/path-roots.ts';

/**
 * The config fields (dotted paths) of each job kind that name a file or folder the worker reads
 * or writes (or a list of them). The job schemas in gpu/src/jobs say so in their comments only, so the worker keeps
 * the list.
 */
const PATH_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'inference-bench': ['model'],
  pretrain: ['output', 'modelDirectory', 'data.directory'],
  factorize: ['model', 'output'],
  finetune: ['teacher', 'student', 'output', 'modelDirectory', 'data.directory'],
  eval: ['teacher', 'student', 'untrained', 'dataDirectory', 'report', 'tasks'],
  pipeline: ['model', 'output', 'dataDirectory', 'eval.tasks'],
};

/**
 * Each job kind's fields (dotted) for the folder that caches the tokenised corpus, its own first;
 * a pipeline's stored config repeats it in its stages. The schema default, `.lab/data`
 * (DEFAULT_DATA_DIRECTORY), is relative to where a command runs; on a worker it means the
 * worker's own data folder.
 */
const CORPUS_FIELDS: Readonly<Record<string, readonly string[]>> = {
  pretrain: ['data.directory'],
  finetune: ['data.directory'],
  eval: ['dataDirectory'],
  pipeline: ['dataDirectory', 'finetune.data.directory', 'eval.dataDirectory'],
};

/**
 * `config` with the corpus cache folder set to `corpusDirectory` wherever it names the default
 * (the API stores configs with their defaults filled in) or leaves its own field out, so a worker
 * whose data folder is not `.lab` under its working directory (FACTORLAB_DATA_DIR) caches the
 * corpus where it may write. Other values, kinds, and configs that are not objects stay as they
 * are, for the schema to judge.
 */
export function withCorpusDirectory(
  kind: string,
  config: unknown,
  corpusDirectory: string,
): unknown {
  const fields = CORPUS_FIELDS[kind];
  if (!fields || !isRecord(config)) return config;
  return fields.reduce<Record<string, unknown>>(
    (resolved, field, index) =>
      withDefaultReplaced(resolved, field.split('.'), corpusDirectory, index === 0),
    config,
  );
}

/** `node` with the value at `keys` set to `value` where it is the default, or absent and `fill`. */
function withDefaultReplaced(
  node: Record<string, unknown>,
  keys: readonly string[],
  value: string,
  fill: boolean,
): Record<string, unknown> {
  const [key, ...rest] = keys;
  const present = Object.hasOwn(node, key!);
  if (rest.length === 0) {
    const isDefault = present ? node[key!] === DEFAULT_DATA_DIRECTORY : fill;
    return isDefault ? { ...node, [key!]: value } : node;
  }
  const child = present ? node[key!] : fill ? {} : undefined;
  if (!isRecord(child)) return node;
  const replaced = withDefaultReplaced(child, rest, value, fill);
  return replaced === child ? node : { ...node, [key!]: replaced };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(config: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = config;
  for (const key of dotted.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Refuses a run whose config names a path outside the worker's path roots, or larger than their
 * cap, before the job reads or writes it; the error names the field, the roots or the sizes.
 */
export async function confineJobPaths(
  kind: string,
  config: Record<string, unknown>,
  paths: PathRoots,
): Promise<void> {
  for (const field of PATH_FIELDS[kind] ?? []) {
    const value = valueAt(config, field);
    const named = Array.isArray(value) ? value : [value];
    for (const path of named) {
      if (typeof path !== 'string') continue;
      try {
        await paths.confine(path);
      } catch (error) {
        throw new Error(`config.${field}: ${(error as Error).message}`);
      }
    }
  }
}
