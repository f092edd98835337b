import type { PathRoots } from '../files/path-roots.ts';

/**
 * The config fields of each job kind that name a file or folder the worker reads. The job schemas
 * in gpu/src/jobs say so in their comments only, so the worker keeps the list.
 */
const PATH_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'inference-bench': ['model'],
};

/**
 * Refuses a run whose config names a path outside the worker's path roots, or larger than their
 * cap, before the job reads it; throws PathRefusedError naming the field, the roots or the sizes.
 */
export async function confineJobPaths(
  kind: string,
  config: Record<string, unknown>,
  paths: PathRoots,
): Promise<void> {
  for (const field of PATH_FIELDS[kind] ?? []) {
    const value = config[field];
    if (typeof value === 'string') {
      try {
        await paths.confine(value);
      } catch (error) {
        throw new Error(`config.${field}: ${(error as Error).message}`);
      }
    }
  }
}
