import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseModelConfig,
  randomCheckpointEntries,
  writeCheckpoint,
  writeSafetensors,
  type ModelConfig,
} from '@factorlab/gpu';
import { TINY_CONFIG } from '../../gpu/test/model/files.ts';
import type { TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

/** 2 layers, d 16, f 24, 4 heads over 2 KV heads, vocabulary 32: 4,944 parameters. */
const TINY = parseModelConfig(TINY_CONFIG, 'tiny');
const TINY_PARAMETERS = 4944;

const REGISTER = `mutation($input: RegisterModelInput!) {
  registerModel(input: $input) { model { id name path parameterCount bytes sha256 config } }
}`;

interface RegisteredModel {
  id: string;
  name: string;
  path: string;
  parameterCount: number;
  bytes: number;
  sha256: string;
  config: Record<string, unknown>;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'factorlab-models-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function checkpointFolder(name: string, config: ModelConfig = TINY): Promise<string> {
  const folder = path.join(root, name);
  await writeCheckpoint(folder, config, randomCheckpointEntries(config, 1, 'F32'));
  return folder;
}

async function countModels(sql: TestDatabase['sql']): Promise<number> {
  const { rows } = await sql.query<{ count: number }>('SELECT count(*)::int AS count FROM model');
  return rows[0]!.count;
}

describe.each(databaseTargets())('registered models on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  it('registers a checkpoint folder with its config, parameter count and weights hash', async () => {
    const folder = await checkpointFolder(`good-${target.name}`);
    const response = await api.gql<{ registerModel: { model: RegisteredModel } }>(REGISTER, {
      input: { name: `tiny-${target.name}`, path: folder },
    });
    expect(response.errors).toBeUndefined();
    const model = response.data!.registerModel.model;
    const weights = await readFile(path.join(folder, 'model.safetensors'));
    expect(model).toMatchObject({
      name: `tiny-${target.name}`,
      path: folder,
      parameterCount: TINY_PARAMETERS,
      bytes: weights.length,
      sha256: createHash('sha256').update(weights).digest('hex'),
    });
    expect(model.config).toMatchObject({ hidden_size: 16, num_key_value_heads: 2, head_dim: 4 });

    const listed = await api.gql<{
      models: { totalCount: number; edges: { node: { id: string } }[] };
      model: { name: string } | null;
    }>(
      `query($id: ID!) { models(first: 10) { totalCount edges { node { id } } } model(id: $id) { name } }`,
      {
        id: model.id,
      },
    );
    expect(listed.data?.models.edges.map((e) => e.node.id)).toContain(model.id);
    expect(listed.data?.model?.name).toBe(model.name);
  });

  it('hashes a sharded checkpoint as its shards in name order', async () => {
    const folder = path.join(root, `sharded-${target.name}`);
    await mkdir(folder);
    const entries = randomCheckpointEntries(TINY, 2, 'F32');
    // Three shards, written and listed in the index in an order other than their names'.
    const shardNames = [3, 1, 2].map((i) => `model-0000${i}-of-00003.safetensors`);
    const weightMap: Record<string, string> = {};
    for (const [index, shard] of shardNames.entries()) {
      const part = entries.filter((_, i) => i % 3 === index);
      await writeSafetensors(path.join(folder, shard), part);
      for (const { name } of part) weightMap[name] = shard;
    }
    await writeFile(path.join(folder, 'config.json'), JSON.stringify(TINY));
    await writeFile(
      path.join(folder, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: weightMap }),
    );
    const response = await api.gql<{ registerModel: { model: RegisteredModel } }>(REGISTER, {
      input: { name: `sharded-${target.name}`, path: folder },
    });
    expect(response.errors).toBeUndefined();
    const hashOf = async (names: string[]) => {
      const hash = createHash('sha256');
      for (const name of names) hash.update(await readFile(path.join(folder, name)));
      return hash.digest('hex');
    };
    const inNameOrder = [...shardNames].sort();
    expect(inNameOrder).not.toEqual(shardNames);
    expect(response.data!.registerModel.model.sha256).toBe(await hashOf(inNameOrder));
    // The order matters to the hash, so the check above tells the orders apart.
    expect(await hashOf(shardNames)).not.toBe(await hashOf(inNameOrder));
  });

  const invalid: {
    case: string;
    folder: () => Promise<string>;
    name?: string;
    code: string;
    field: string;
    problem: RegExp;
  }[] = [
    {
      case: 'a relative path',
      folder: () => Promise.resolve('models/tiny'),
      code: 'BAD_USER_INPUT',
      field: 'path',
      problem: /must be an absolute path/,
    },
    {
      case: 'a missing folder',
      folder: () => Promise.resolve(path.join(root, 'nowhere')),
      code: 'BAD_USER_INPUT',
      field: 'path',
      problem: /does not exist/,
    },
    {
      case: 'a file, not a folder',
      folder: async () => {
        const file = path.join(root, 'not-a-folder.txt');
        await writeFile(file, 'x');
        return file;
      },
      code: 'BAD_USER_INPUT',
      field: 'path',
      problem: /is not a folder/,
    },
    {
      case: 'a folder without config.json',
      folder: async () => {
        const folder = path.join(root, `empty-${Math.random()}`);
        await mkdir(folder);
        return folder;
      },
      code: 'BAD_USER_INPUT',
      field: 'path',
      problem: /config\.json: file not found/,
    },
    {
      case: 'a config.json that is not JSON',
      folder: async () => {
        const folder = await checkpointFolder(`bad-json-${Math.random()}`);
        await writeFile(path.join(folder, 'config.json'), '{"hidden_size": 16,');
        return folder;
      },
      code: 'BAD_USER_INPUT',
      field: 'path',
      problem: /config\.json: not valid JSON/,
    },
    {
      case: 'a config with hidden_size 0',
      folder: async () => {
        const folder = await checkpointFolder(`zero-${Math.random()}`);
        await writeFile(
          path.join(folder, 'config.json'),
          JSON.stringify({ ...TINY, hidden_size: 0 }),
        );
        return folder;
      },
      code: 'BAD_USER_INPUT',
      field: 'path',
      problem: /config\.json: hidden_size: Too small/,
    },
    {
      case: 'a config without weights',
      folder: async () => {
        const folder = path.join(root, `no-weights-${Math.random()}`);
        await mkdir(folder);
        await writeFile(path.join(folder, 'config.json'), JSON.stringify(TINY));
        return folder;
      },
      code: 'BAD_USER_INPUT',
      field: 'path',
      problem: /neither model\.safetensors nor model\.safetensors\.index\.json found/,
    },
    {
      case: 'weights of another shape than the config',
      folder: async () => {
        const folder = await checkpointFolder(`mismatch-${Math.random()}`);
        await writeFile(
          path.join(folder, 'config.json'),
          JSON.stringify({ ...TINY, intermediate_size: 32 }),
        );
        return folder;
      },
      code: 'BAD_USER_INPUT',
      field: 'path',
      problem: /model\.safetensors: .*mlp/,
    },
    {
      case: 'a truncated weights file',
      folder: async () => {
        const folder = await checkpointFolder(`truncated-${Math.random()}`);
        const weights = path.join(folder, 'model.safetensors');
        await writeFile(weights, (await readFile(weights)).subarray(0, 100));
        return folder;
      },
      code: 'BAD_USER_INPUT',
      field: 'path',
      problem: /model\.safetensors: /,
    },
    {
      case: 'an empty name',
      folder: () => checkpointFolder(`unnamed-${Math.random()}`),
      name: '  ',
      code: 'BAD_USER_INPUT',
      field: 'name',
      problem: /must be 1 to 200 characters/,
    },
    {
      case: 'a name already registered',
      folder: () => checkpointFolder(`again-${Math.random()}`),
      name: 'taken',
      code: 'CONFLICT',
      field: 'name',
      problem: /already registered/,
    },
  ];

  it.each(invalid)(
    'refuses $case with $code on $field, writing nothing',
    async ({ folder, name, code, field, problem }) => {
      // The model whose name 'a name already registered' takes; harmless to the other cases.
      await database.db.registeredModel.upsert({
        where: { name: 'taken' },
        create: { name: 'taken', path: '/x', config: {}, parameterCount: 1, bytes: 1, sha256: 'x' },
        update: {},
      });
      const before = await countModels(database.sql);
      const response = await api.gql(REGISTER, {
        input: { name: name ?? `bad-${Math.random()}`, path: await folder() },
      });
      expect(response.data).toBeNull();
      expect(response.errors).toHaveLength(1);
      const error = response.errors![0]!;
      expect(error.extensions).toMatchObject({ code, field });
      expect(error.message).toMatch(problem);
      expect(await countModels(database.sql)).toBe(before);
    },
  );

  it('answers model(id) with null for an unknown id and BAD_USER_INPUT for a malformed one', async () => {
    const unknown = await api.gql<{ model: unknown }>(
      `{ model(id: "00000000-0000-0000-0000-00000000abcd") { id } }`,
    );
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data?.model).toBeNull();
    const malformed = await api.gql(`{ model(id: "nope") { id } }`);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
