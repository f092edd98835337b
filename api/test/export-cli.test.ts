import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { runLab as lab } from '../../test/support/lab-process.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

describe('lab export', () => {
  let database: TestDatabase;
  let api: TestApi;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase(databaseTargets()[0]!);
    api = await startTestApi(database);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'factorlab-export-'));
    for (const size of [8, 16, 32]) {
      const run = await queueSelftest(database.db, { size });
      await writeMetricPoints(database.db, run.id, [{ key: 'gflops', step: 0, value: size / 8 }]);
    }
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes the runs with config and metric columns to a file', async () => {
    const out = path.join(dir, 'runs.csv');
    const result = await lab(['export', '--metrics', 'gflops', '--out', out], {
      FACTORLAB_API_URL: api.url,
    });
    expect(result.stderr).toContain(`wrote ${out}`);
    expect(result.code).toBe(0);
    const lines = (await fs.readFile(out, 'utf8')).trim().split(/\r?\n/);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('config.size');
    expect(lines[0]).toContain('metric.gflops');
    await expect(fs.access(`${out}.partial`)).rejects.toThrow();
  });

  it('prints JSON to stdout', async () => {
    const result = await lab(['export', '--format', 'json', '--limit', '2'], {
      FACTORLAB_API_URL: api.url,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(2);
  });

  it.each([
    { case: 'an unknown status', args: ['--status', 'DONE'], message: /status/ },
    { case: 'an unknown format', args: ['--format', 'xml'], message: /--format xml/ },
  ])('refuses $case with one error line and no file', async ({ args, message }) => {
    const out = path.join(dir, 'refused.csv');
    const result = await lab(['export', ...args, '--out', out], { FACTORLAB_API_URL: api.url });
    expect(result.code).not.toBe(0);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    await expect(fs.access(out)).rejects.toThrow();
  });
});
