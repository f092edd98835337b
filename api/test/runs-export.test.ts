import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/src/auth/api-keys.ts';
import type { Db } from '../../api/src/db/client.ts';
import { EXPORT_PAGE_SIZE } from '../../api/src/graphql/export/run-rows.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

/** RFC 4180 records, quoted fields included, as the test's own independent reader. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe('');
  return records;
}

interface Seeded {
  id: string;
  name: string;
}

async function seedRun(
  db: Db,
  name: string,
  kind: string,
  config: object,
  tags: string[],
  status: 'SUCCEEDED' | 'FAILED' | 'QUEUED',
  queuedAt: Date,
): Promise<Seeded> {
  const experiment = await db.experiment.create({
    data: {
      name,
      kind,
      config,
      configHash: randomUUID(),
      tags,
      runs: { create: { status, queuedAt } },
    },
    include: { runs: true },
  });
  return { id: experiment.runs[0]!.id, name };
}

describe.each(databaseTargets())('run export on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  let securedApi: TestApi;
  let viewerKey: string;
  let tricky: Seeded;
  let plain: Seeded;
  let failed: Seeded;
  let bulkExperimentId: string;

  const get = (path: string, key?: string, base = api.url) =>
    fetch(`${base}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
    securedApi = await startTestApi(database, 'on');
    viewerKey = (await createApiKey(database.db, { name: 'viewer', role: 'VIEWER' })).token;
    const db = database.db;
    // Bulk runs, older than the named ones: enough for several keyset pages.
    bulkExperimentId = (
      await db.experiment.create({
        data: { name: 'bulk', kind: 'bulk', config: { size: 1 }, configHash: 'bulk' },
      })
    ).id;
    await database.sql.query(
      `INSERT INTO run (id, experiment_id, status, queued_at)
       SELECT gen_random_uuid(), $1, 'SUCCEEDED', '2025-01-01'::timestamptz + (g % 500) * interval '1 ms'
       FROM generate_series(1, $2::int) g`,
      [bulkExperimentId, EXPORT_PAGE_SIZE * 2 + 300],
    );
    tricky = await seedRun(
      db,
      'lr "sweep", first\nline',
      'selftest',
      { size: 64, optim: { lr: 0.1, name: 'adam, w' }, extra: {} },
      ['a', 'b'],
      'SUCCEEDED',
      new Date('2026-03-01T00:00:00.000Z'),
    );
    plain = await seedRun(
      db,
      'plain',
      'selftest',
      { size: 32, seed: null },
      ['a'],
      'SUCCEEDED',
      new Date('2026-02-01T00:00:00.000Z'),
    );
    failed = await seedRun(
      db,
      'failed',
      'train',
      { steps: 10 },
      ['b'],
      'FAILED',
      new Date('2026-01-01T00:00:00.000Z'),
    );
    await writeMetricPoints(db, tricky.id, [
      { key: 'gflops', step: 0, value: 1.5 },
      { key: 'gflops', step: 4, value: 2.25 },
      { key: 'max_error', step: 0, value: 0.001 },
    ]);
    await writeMetricPoints(db, plain.id, [{ key: 'max_error', step: 0, value: 0.5 }]);
  });
  afterAll(async () => {
    await api?.stop();
    await securedApi?.stop();
    await database?.drop();
  });

  it('writes CSV with quoting, flattened config columns and requested metrics', async () => {
    const response = await get('/export/runs.csv?tags=a&metrics=gflops,max_error');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual([
      'id',
      'name',
      'kind',
      'status',
      'tags',
      'queuedAt',
      'startedAt',
      'finishedAt',
      'config.extra',
      'config.optim.lr',
      'config.optim.name',
      'config.seed',
      'config.size',
      'metric.gflops',
      'metric.max_error',
    ]);
    expect(rows).toEqual([
      [
        tricky.id,
        'lr "sweep", first\nline',
        'selftest',
        'SUCCEEDED',
        'a;b',
        '2026-03-01T00:00:00.000Z',
        '',
        '',
        '{}',
        '0.1',
        'adam, w',
        '',
        '64',
        '2.25',
        '0.001',
      ],
      [
        plain.id,
        'plain',
        'selftest',
        'SUCCEEDED',
        'a',
        '2026-02-01T00:00:00.000Z',
        '',
        '',
        '',
        '',
        '',
        'null',
        '32',
        '',
        '0.5',
      ],
    ]);
  });

  it('writes JSON with the same runs, config as dotted paths, null for missing metrics', async () => {
    const response = await get('/export/runs.json?kind=selftest,train&metrics=gflops');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const runs = (await response.json()) as Record<string, unknown>[];
    expect(runs.map((run) => run.id)).toEqual([tricky.id, plain.id, failed.id]);
    expect(runs[0]).toEqual({
      id: tricky.id,
      name: tricky.name,
      kind: 'selftest',
      status: 'SUCCEEDED',
      tags: ['a', 'b'],
      queuedAt: '2026-03-01T00:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      config: { size: 64, 'optim.lr': 0.1, 'optim.name': 'adam, w', extra: {} },
      metrics: { gflops: 2.25 },
    });
    expect(runs[2]).toMatchObject({ status: 'FAILED', metrics: { gflops: null } });
  });

  it('filters by status', async () => {
    const response = await get('/export/runs.json?status=failed');
    const runs = (await response.json()) as { id: string }[];
    expect(runs.map((run) => run.id)).toEqual([failed.id]);
  });

  it('streams across keyset pages, newest first, each run once, up to the limit', async () => {
    const limit = EXPORT_PAGE_SIZE * 2 + 100;
    const response = await get(`/export/runs.csv?kind=bulk&limit=${limit}`);
    const [, ...rows] = parseCsv(await response.text());
    expect(rows).toHaveLength(limit);
    expect(new Set(rows.map((row) => row[0])).size).toBe(limit);
    const { rows: expected } = await database.sql.query<{ id: string }>(
      'SELECT id FROM run WHERE experiment_id = $1 ORDER BY queued_at DESC, id DESC LIMIT $2',
      [bulkExperimentId, limit],
    );
    expect(rows.map((row) => row[0])).toEqual(expected.map((row) => row.id));
  });

  it('exports every bulk run when the limit exceeds them', async () => {
    const response = await get('/export/runs.json?kind=bulk&limit=50000');
    const runs = (await response.json()) as unknown[];
    expect(runs).toHaveLength(EXPORT_PAGE_SIZE * 2 + 300);
  });

  it.each([
    { case: 'limit 0', query: 'limit=0', field: 'limit' },
    { case: 'limit over 50,000', query: 'limit=50001', field: 'limit' },
    { case: 'a non-numeric limit', query: 'limit=ten', field: 'limit' },
    { case: 'an unknown status', query: 'status=DONE', field: 'status' },
    {
      case: 'over 100 metric keys',
      query: `metrics=${Array.from({ length: 101 }, (_, i) => `m${i}`).join(',')}`,
      field: 'metrics',
    },
  ])('refuses $case with 400 BAD_USER_INPUT', async ({ query, field }) => {
    for (const format of ['csv', 'json']) {
      const response = await get(`/export/runs.${format}?${query}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { extensions: unknown }[] };
      expect(body.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it.each([
    { caller: 'no key', key: undefined, status: 401, code: 'UNAUTHENTICATED' },
    { caller: 'a bad key', key: 'flk_notarealkey_abc', status: 401, code: 'UNAUTHENTICATED' },
  ])('with auth on, refuses $caller with $status', async ({ key, status, code }) => {
    const response = await get('/export/runs.csv', key, securedApi.url);
    expect(response.status).toBe(status);
    const body = (await response.json()) as { errors: { extensions: unknown }[] };
    expect(body.errors[0]!.extensions).toMatchObject({ code });
  });

  it('with auth on, serves a viewer key', async () => {
    const response = await get('/export/runs.json?status=FAILED', viewerKey, securedApi.url);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }[]).map((run) => run.id)).toEqual([failed.id]);
  });
});
