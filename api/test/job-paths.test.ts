import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineConfigSchema } from '@factorlab/gpu';
import { PathRoots } from '../src/files/path-roots.ts';
import { confineJobPaths, withCorpusDirectory } from '../src/worker/job-paths.ts';

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

describe('the corpus cache folder on the worker', () => {
  const corpus = '/srv/lab/data';

  it('is the worker’s own where the config leaves it out, for every job kind that reads the corpus', () => {
    expect(withCorpusDirectory('pipeline', { model: 'm' }, corpus)).toEqual({
      model: 'm',
      dataDirectory: corpus,
    });
    expect(withCorpusDirectory('eval', {}, corpus)).toEqual({ dataDirectory: corpus });
    // The API stores configs with their defaults: the default means the worker's folder too.
    expect(withCorpusDirectory('eval', { dataDirectory: '.lab/data' }, corpus)).toEqual({
      dataDirectory: corpus,
    });
    expect(withCorpusDirectory('finetune', { data: { directory: '.lab/data' } }, corpus)).toEqual({
      data: { directory: corpus },
    });
    expect(withCorpusDirectory('pretrain', {}, corpus)).toEqual({ data: { directory: corpus } });
    expect(withCorpusDirectory('finetune', { data: { corpus: 'brown' } }, corpus)).toEqual({
      data: { corpus: 'brown', directory: corpus },
    });
  });

  it('is the worker’s own in a stored pipeline config, stages included, which then parses', () => {
    const stored = pipelineConfigSchema.parse({
      model: '/m',
      output: '/o',
      factorize: { experts: 4, topK: 1 },
      finetune: {
        stages: {
          router: { steps: 1, learningRate: 0.01 },
          joint: { steps: 1, learningRate: 0.001 },
        },
      },
    });
    expect(stored.finetune.data.directory).toBe('.lab/data');
    const resolved = pipelineConfigSchema.parse(withCorpusDirectory('pipeline', stored, corpus));
    expect(resolved.dataDirectory).toBe(corpus);
    expect(resolved.finetune.data.directory).toBe(corpus);
    expect(resolved.eval.dataDirectory).toBe(corpus);
  });

  it('stays what the config says, and leaves other kinds and malformed configs to the schema', () => {
    expect(withCorpusDirectory('pipeline', { dataDirectory: '/x' }, corpus)).toEqual({
      dataDirectory: '/x',
    });
    expect(withCorpusDirectory('pretrain', { data: { directory: '/x' } }, corpus)).toEqual({
      data: { directory: '/x' },
    });
    expect(withCorpusDirectory('selftest', { size: 64 }, corpus)).toEqual({ size: 64 });
    expect(
      withCorpusDirectory('finetune', { data: { directory: '/x' }, other: 1 }, corpus),
    ).toEqual({ data: { directory: '/x' }, other: 1 });
    expect(withCorpusDirectory('pretrain', { data: 'nonsense' }, corpus)).toEqual({
      data: 'nonsense',
    });
    expect(withCorpusDirectory('pipeline', null, corpus)).toBeNull();
  });
});
