import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathRoots } from '../src/files/path-roots.ts';
import { confineJobPaths } from '../src/worker/job-paths.ts';

describe('job paths on the worker', () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'factorlab-root-'));
    outside = await mkdtemp(path.join(tmpdir(), 'factorlab-outside-'));
    await writeFile(path.join(root, 'task.jsonl'), '{}\n');
    await writeFile(path.join(outside, 'task.jsonl'), '{}\n');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it("confines every path of a list, such as a pipeline's task files", async () => {
    const roots = new PathRoots([root]);
    const config = (tasks: string[]) => ({
      model: path.join(root, 'model'),
      output: path.join(root, 'out'),
      eval: { tasks },
    });
    await expect(
      confineJobPaths('pipeline', config([path.join(root, 'task.jsonl')]), roots),
    ).resolves.toBeUndefined();
    await expect(
      confineJobPaths(
        'pipeline',
        config([path.join(root, 'task.jsonl'), path.join(outside, 'task.jsonl')]),
        roots,
      ),
    ).rejects.toThrow(
      /^config\.eval\.tasks: .*task\.jsonl is outside the folders the lab may read/,
    );
    await expect(
      confineJobPaths('eval', { teacher: root, student: outside, tasks: [] }, roots),
    ).rejects.toThrow(/^config\.student: /);
  });
});
