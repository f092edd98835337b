import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelConfig, randomCheckpointEntries, writeCheckpoint } from '@factorlab/gpu';
import { registerDemoModel } from '../src/cli/demo-model.ts';
import { PathRoots } from '../src/files/path-roots.ts';
import { TINY_CONFIG } from '../../gpu/test/model/files.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

describe.each(databaseTargets())('the demo model at start, $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let root: string;
  beforeAll(async () => {
    database = await createTestDatabase(target);
    root = await mkdtemp(path.join(tmpdir(), 'factorlab-demo-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('is registered once when built, and not at all before', async () => {
    const demo = { name: 'demo', directory: path.join(root, 'demo') };
    const paths = new PathRoots([root]);
    expect(await registerDemoModel(database.db, paths, demo)).toBe('not built');
    expect(await database.db.registeredModel.count()).toBe(0);

    const config = parseModelConfig(TINY_CONFIG, 'tiny');
    await writeCheckpoint(demo.directory, config, randomCheckpointEntries(config, 1, 'F32'));
    expect(await registerDemoModel(database.db, paths, demo)).toBe('registered');
    expect(await registerDemoModel(database.db, paths, demo)).toBe('already registered');
    const models = await database.db.registeredModel.findMany();
    expect(models.map(({ name, path: folder }) => [name, folder])).toEqual([
      ['demo', demo.directory],
    ]);
  });
});
