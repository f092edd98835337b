import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPathRoots, readConfig, repoRoot } from '../../../api/src/config.ts';
import { PathRoots } from '../../../api/src/files/path-roots.ts';
import { startWorker, type LabWorker } from '../../../api/src/worker/worker.ts';
import { startTestApi, type TestApi } from '../../../test/support/api.ts';
import { queueJob, waitForRunStatus } from '../../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../../test/support/test-database.ts';
import { expectServesNormally, rowCounts } from './guard.ts';

const REGISTER_MODEL = `mutation($path: String!) {
  registerModel(input: {name: "m", path: $path}) { model { id } } }`;
const REGISTER_DATASET = `mutation($path: String!) {
  registerDataset(input: {name: "d", path: $path}) { dataset { id bytes } } }`;

/** Bytes the test lab may read from one path: a few files' worth. */
const CAP = 1024;

let root: string;
let outside: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'factorlab-roots-'));
  outside = await mkdtemp(path.join(tmpdir(), 'factorlab-outside-'));
  await writeFile(path.join(outside, 'secret.txt'), 'not for the API');
  await writeFile(path.join(root, 'small.txt'), 'tokens');
  await writeFile(path.join(root, 'large.bin'), Buffer.alloc(CAP + 1));
  await symlink(path.join(outside, 'secret.txt'), path.join(root, 'link-out.txt'));
  await mkdir(path.join(root, 'mixed'));
  await writeFile(path.join(root, 'mixed', 'ok.txt'), 'fine');
  await symlink(path.join(outside, 'secret.txt'), path.join(root, 'mixed', 'sneaky.txt'));
  await symlink(outside, path.join(root, 'dir-out'));
  await mkdir(path.join(root, 'bulk'));
  await writeFile(path.join(root, 'bulk', 'a.bin'), Buffer.alloc(CAP / 2 + 1));
  await writeFile(path.join(root, 'bulk', 'b.bin'), Buffer.alloc(CAP / 2 + 1));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

/** Paths the lab must refuse, and the words its refusal must contain. */
const REFUSED: { name: string; path: () => string; says: RegExp }[] = [
  { name: 'a system file', path: () => '/etc/passwd', says: /outside the folders/ },
  { name: 'a system folder', path: () => '/etc', says: /outside the folders/ },
  { name: 'the root folder', path: () => '/', says: /outside the folders/ },
  {
    name: 'a path that does not exist outside the roots (no existence oracle)',
    path: () => '/etc/no-such-file-here',
    says: /outside the folders/,
  },
  {
    name: 'a path climbing out of a root with ..',
    path: () => path.join(root, '..', path.basename(outside), 'secret.txt'),
    says: /outside the folders/,
  },
  {
    name: 'a link inside a root to a file outside',
    path: () => path.join(root, 'link-out.txt'),
    says: /outside the folders/,
  },
  {
    name: 'a link inside a root to a folder outside',
    path: () => path.join(root, 'dir-out'),
    says: /outside the folders/,
  },
  {
    name: 'a folder inside a root holding a link outside',
    path: () => path.join(root, 'mixed'),
    says: /outside the folders/,
  },
  {
    name: 'a file over the size cap',
    path: () => path.join(root, 'large.bin'),
    says: /FACTORLAB_MAX_FILE_BYTES/,
  },
  {
    name: 'a folder whose files together pass the size cap',
    path: () => path.join(root, 'bulk'),
    says: /FACTORLAB_MAX_FILE_BYTES/,
  },
];

describe.each(databaseTargets())('model and dataset paths confined on $name', (target) => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database, 'off', { paths: new PathRoots([root], CAP) });
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  const cases = REFUSED.flatMap((refused) => [
    { ...refused, mutation: 'registerDataset', query: REGISTER_DATASET },
    { ...refused, mutation: 'registerModel', query: REGISTER_MODEL },
  ]);

  it.each(cases)('$mutation refuses $name', async ({ query, path: target, says }) => {
    const before = await rowCounts(database);
    const response = await api.gql(query, { path: target() });
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors?.[0]?.extensions?.field).toBe('path');
    expect(response.errors?.[0]?.message).toMatch(says);
    if (says.source.includes('outside')) expect(response.errors?.[0]?.message).toContain(root);
    expect(JSON.stringify(response)).not.toContain('not for the API');
    expect(await rowCounts(database)).toEqual(before);
    await expectServesNormally(api);
  });

  it('registers a small file inside a root', async () => {
    const response = await api.gql<{ registerDataset: { dataset: { bytes: number } } }>(
      REGISTER_DATASET,
      { path: path.join(root, 'small.txt') },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.registerDataset.dataset.bytes).toBe(6);
  });

  describe('the worker', () => {
    let worker: LabWorker;
    beforeAll(async () => {
      worker = await startWorker(database.db, database.url, { paths: new PathRoots([root], CAP) });
    });
    afterAll(async () => {
      await worker?.stop();
    });

    it('fails an inference benchmark of a model outside its roots before reading it', async () => {
      const queued = await queueJob(database.db, 'inference-bench', { model: outside });
      const run = await waitForRunStatus(database.db, queued.id);
      expect(run.status).toBe('FAILED');
      expect(run.error).toMatch(/^config\.model: .* is outside the folders the lab may read/);
      expect(run.error).toContain(root);
      expect(await database.db.benchmark.count({ where: { runId: queued.id } })).toBe(0);
    });

    it('fails a pretrain run writing outside its roots before it trains', async () => {
      const output = path.join(outside, 'run');
      const queued = await queueJob(database.db, 'pretrain', {
        output,
        data: { directory: path.join(root, 'data') },
        model: { hiddenSize: 16, intermediateSize: 32, layers: 1, heads: 2 },
        training: { steps: 1, batchSize: 1, sequenceLength: 8, learningRate: 0.001 },
      });
      const run = await waitForRunStatus(database.db, queued.id);
      expect(run.status).toBe('FAILED');
      expect(run.error).toMatch(/^config\.output: .* is outside the folders the lab may read/);
      await expect(stat(output)).rejects.toThrow(/ENOENT/);
    });
  });
});

describe('path roots configuration', () => {
  it("defaults to the lab's data and models folders and adds FACTORLAB_PATH_ROOTS", () => {
    const saved = process.env.FACTORLAB_PATH_ROOTS;
    process.env.FACTORLAB_PATH_ROOTS = ['/srv/models', '/srv/data'].join(path.delimiter);
    try {
      const config = readConfig();
      expect(defaultPathRoots(config.dataDir)).toContain(path.join(repoRoot, 'models'));
      expect(config.pathRoots).toEqual([
        ...defaultPathRoots(config.dataDir),
        '/srv/models',
        '/srv/data',
      ]);
      process.env.FACTORLAB_PATH_ROOTS = 'relative/models';
      expect(() => readConfig()).toThrow(
        /FACTORLAB_PATH_ROOTS: "relative\/models" is not an absolute/,
      );
    } finally {
      if (saved === undefined) delete process.env.FACTORLAB_PATH_ROOTS;
      else process.env.FACTORLAB_PATH_ROOTS = saved;
    }
  });
});
