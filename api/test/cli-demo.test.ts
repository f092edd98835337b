import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineConfigSchema } from '@factorlab/gpu';
import { repoRoot } from '../../api/src/config.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { runLab as lab } from '../../test/support/lab-process.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

describe('lab demo', () => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase(databaseTargets()[0]!);
    api = await startTestApi(database);
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('queues the FactorLLM sweep on the demo model, one folder per point under the data folder', async () => {
    // Outputs go where the lab may write whatever FACTORLAB_DATA_DIR says, not to the repository.
    const dataDir = path.join(tmpdir(), 'factorlab-demo-data');
    const { code, stdout, stderr } = await lab(['demo'], {
      FACTORLAB_API_URL: api.url,
      FACTORLAB_DATA_DIR: dataDir,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/queued sweep "demo model: split x top-k" \(.+\): 4 runs/);
    const runs = await database.db.run.findMany({ include: { experiment: true } });
    expect(runs).toHaveLength(4);
    const configs = runs.map(({ experiment }) =>
      pipelineConfigSchema.parse(experiment.config as Record<string, unknown>),
    );
    for (const config of configs) {
      expect(runs[0]!.experiment.kind).toBe('pipeline');
      expect(config.model).toBe(path.join(repoRoot, 'models', 'demo'));
      expect(path.dirname(config.output)).toBe(path.join(dataDir, 'pipelines'));
    }
    expect(new Set(configs.map(({ output }) => output)).size).toBe(4);
    expect(new Set(configs.map(({ factorize }) => `${factorize.split}/${factorize.topK}`))).toEqual(
      new Set(['sequential/1', 'sequential/2', 'kmeans/1', 'kmeans/2']),
    );
  }, 120_000);

  it('says what a sweep file lacks', async () => {
    const { code, stderr } = await lab(['sweep', '--file', path.join(repoRoot, 'package.json')], {
      FACTORLAB_API_URL: api.url,
    });
    expect(code).not.toBe(0);
    expect(stderr).toContain('a sweep file needs kind, baseConfig and parameters');
  });
});
