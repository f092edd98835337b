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
