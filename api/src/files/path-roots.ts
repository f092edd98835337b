import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from '../config.ts';

/** A path the lab may not read: outside its roots, or larger than its size cap. */
export class PathRefusedError extends Error {
  override name = 'PathRefusedError';

  constructor(
    message: string,
    /** Why: callers that must not echo the path (it may lie outside the roots) say it their way. */
    readonly reason: 'outside' | 'too-large',
  ) {
    super(message);
  }
}

/** The most bytes a registered model or dataset, or a job's model folder, may hold by default. */
export const DEFAULT_MAX_FILE_BYTES = 256 * 2 ** 30;

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 3 : 1)} GiB`;
}

/**
 * The folders the lab may read models and datasets from (FACTORLAB_PATH_ROOTS adds to the
 * defaults), and how large what it reads there may be (FACTORLAB_MAX_FILE_BYTES). Paths are
 * compared after resolving symbolic links, so a link inside a root cannot lead outside it.
 */
export class PathRoots {
  constructor(
    readonly roots: readonly string[],
    readonly maxBytes: number = DEFAULT_MAX_FILE_BYTES,
  ) {}

  private refuseOutside(target: string): PathRefusedError {
    return new PathRefusedError(
      `${target} is outside the folders the lab may read (${this.roots.join(', ')}): move it ` +
        'under one of them, or add its folder to FACTORLAB_PATH_ROOTS',
      'outside',
    );
  }

  /** The roots as they resolve on this machine; those that do not exist are left out. */
  private async resolvedRoots(): Promise<string[]> {
    const resolved = await Promise.all(this.roots.map((root) => realpath(root).catch(() => null)));
    return resolved.filter((root): root is string => root !== null);
  }

  /**
   * Returns when the absolute `target` lies inside a root with every file under it, links
   * resolved, and their bytes are within the cap; throws PathRefusedError naming the roots or the
   * sizes. A target that does not exist is refused only when it would lie outside the roots, so
   * no answer tells whether a path outside them exists.
   */
  async confine(target: string): Promise<void> {
    const roots = await this.resolvedRoots();
    const inRoots = (resolved: string) => roots.some((root) => isInside(root, resolved));
    const resolved = await realpath(target).catch(() => null);
    if (resolved === null) {
      const lexical = path.resolve(target);
      if (!this.roots.some((root) => isInside(path.resolve(root), lexical))) {
        throw this.refuseOutside(target);
      }
      return;
    }
    if (!inRoots(resolved)) throw this.refuseOutside(target);
    const info = await stat(resolved);
    let bytes = info.isFile() ? info.size : 0;
    if (info.isDirectory()) {
      for (const entry of await readdir(resolved, { recursive: true, withFileTypes: true })) {
        if (entry.isDirectory()) continue;
        const file = path.join(entry.parentPath, entry.name);
        const fileResolved = await realpath(file).catch(() => null);
        if (fileResolved === null) continue; // a dangling link: nothing to read
        if (!inRoots(fileResolved)) throw this.refuseOutside(file);
        const fileInfo = await stat(fileResolved);
        if (fileInfo.isFile()) bytes += fileInfo.size;
        if (bytes > this.maxBytes) break;
      }
    }
    if (bytes > this.maxBytes) {
      throw new PathRefusedError(
        `${target} holds ${info.isDirectory() ? 'at least ' : ''}${gib(bytes)}, over the ` +
          `${gib(this.maxBytes)} the lab reads at most: raise FACTORLAB_MAX_FILE_BYTES to allow it`,
        'too-large',
      );
    }
  }
}

/** The roots and size cap a lab's configuration names. */
export function labPathRoots(config: Pick<LabConfig, 'pathRoots' | 'maxFileBytes'>): PathRoots {
  return new PathRoots(config.pathRoots, config.maxFileBytes);
}
