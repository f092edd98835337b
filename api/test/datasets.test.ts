import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

const REGISTER = `mutation($input: RegisterDatasetInput!) {
  registerDataset(input: $input) { dataset { id name path source tokens bytes sha256 } }
}`;

interface Dataset {
  id: string;
  name: string;
  path: string | null;
  source: string | null;
  tokens: number | null;
  bytes: number | null;
  sha256: string | null;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'factorlab-datasets-'));
  await writeFile(path.join(root, 'train.txt'), 'the quick brown fox\n');
  await mkdir(path.join(root, 'shards', 'b'), { recursive: true });
  await writeFile(path.join(root, 'shards', 'a.txt'), 'first ');
  await writeFile(path.join(root, 'shards', 'b', 'c.txt'), 'second');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function countDatasets(sql: TestDatabase['sql']): Promise<number> {
  const { rows } = await sql.query<{ count: number }>('SELECT count(*)::int AS count FROM dataset');
  return rows[0]!.count;
}

describe.each(databaseTargets())('registered datasets on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  async function register(input: Record<string, unknown>) {
    return api.gql<{ registerDataset: { dataset: Dataset } }>(REGISTER, { input });
  }

  it('sizes and hashes a file, a folder (files in name order), and keeps a source as given', async () => {
    const file = await register({ name: 'train', path: path.join(root, 'train.txt'), tokens: 5 });
    expect(file.errors).toBeUndefined();
    expect(file.data!.registerDataset.dataset).toMatchObject({
      bytes: 20,
      sha256: sha256('the quick brown fox\n'),
      tokens: 5,
      source: null,
    });
    const folder = await register({ name: 'shards', path: path.join(root, 'shards') });
    expect(folder.data!.registerDataset.dataset).toMatchObject({
      bytes: 12,
      sha256: sha256('first second'),
    });
    const remote = await register({ name: 'wikitext', source: 'wikitext-2-raw-v1/test' });
    expect(remote.data!.registerDataset.dataset).toMatchObject({
      path: null,
      source: 'wikitext-2-raw-v1/test',
      bytes: null,
      sha256: null,
    });

    const listed = await api.gql<{ datasets: { totalCount: number; edges: { node: Dataset }[] } }>(
      `{ datasets(first: 2) { totalCount edges { node { name } } pageInfo { hasNextPage } } }`,
    );
    expect(listed.data!.datasets.totalCount).toBe(3);
    expect(listed.data!.datasets.edges.map((e) => e.node.name)).toEqual(['wikitext', 'shards']);
  });

  const invalid: { case: string; input: Record<string, unknown>; code: string; field: string }[] = [
    {
      case: 'neither path nor source',
      input: { name: 'n1' },
      code: 'BAD_USER_INPUT',
      field: 'path',
    },
    {
      case: 'both path and source',
      input: { name: 'n2', path: '/tmp', source: 'x' },
      code: 'BAD_USER_INPUT',
      field: 'path',
    },
    {
      case: 'a relative path',
      input: { name: 'n3', path: 'data/train.txt' },
      code: 'BAD_USER_INPUT',
      field: 'path',
    },
    {
      case: 'a missing path',
      input: { name: 'n4', path: '/nonexistent/train.txt' },
      code: 'BAD_USER_INPUT',
      field: 'path',
    },
    {
      case: 'negative tokens',
      input: { name: 'n5', source: 's', tokens: -1 },
      code: 'BAD_USER_INPUT',
      field: 'tokens',
    },
    {
      case: 'fractional tokens',
      input: { name: 'n6', source: 's', tokens: 1.5 },
      code: 'BAD_USER_INPUT',
      field: 'tokens',
    },
    {
      case: 'an empty name',
      input: { name: '', source: 's' },
      code: 'BAD_USER_INPUT',
      field: 'name',
    },
    {
      case: 'a source too long',
      input: { name: 'n7', source: 'x'.repeat(1001) },
      code: 'BAD_USER_INPUT',
      field: 'source',
    },
    {
      case: 'a taken name',
      input: { name: 'taken', source: 's' },
      code: 'CONFLICT',
      field: 'name',
    },
  ];

  it.each(invalid)(
    'refuses $case with $code on $field, writing nothing',
    async ({ input, code, field }) => {
      await database.db.dataset.upsert({
        where: { name: 'taken' },
        create: { name: 'taken', source: 'elsewhere' },
        update: {},
      });
      const before = await countDatasets(database.sql);
      const response = await register(input);
      expect(response.data).toBeNull();
      expect(response.errors?.map((e) => e.extensions)).toEqual([
        expect.objectContaining({ code, field }),
      ]);
      expect(await countDatasets(database.sql)).toBe(before);
    },
  );
});
