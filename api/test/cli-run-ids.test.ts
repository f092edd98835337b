import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyGenerationHint } from '../../api/src/cli/inference.command.ts';
import { formatMetricValue, formatRunsTable } from '../../api/src/cli/runs-table.ts';
import { repoRoot } from '../../api/src/config.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { runLab as lab } from '../../test/support/lab-process.ts';
import { spawnLab } from '../../test/support/lab-process.ts';
import { freePort } from '../../test/support/ports.ts';
import { createTwinRuns, queueJob } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const RUN_ID_QUERY = 'query($prefix: String!) { runId(prefix: $prefix) }';

describe('run ids, watch, runs and queue on the command line', () => {
  let database: TestDatabase;
  let api: TestApi;
  let env: Record<string, string>;
  let succeeded: string;
  let failed: string;

  beforeAll(async () => {
    database = await createTestDatabase(databaseTargets()[0]!);
    api = await startTestApi(database);
    env = { FACTORLAB_API_URL: api.url };
    const db = database.db;
    succeeded = (await queueJob(db, 'selftest', { size: 8 })).id;
    await db.run.update({
      where: { id: succeeded },
      data: { status: 'SUCCEEDED', progress: 1, startedAt: new Date(), finishedAt: new Date() },
    });
    failed = (await queueJob(db, 'inference-bench', { model: '/nowhere/model' })).id;
    await db.run.update({
      where: { id: failed },
      data: {
        status: 'FAILED',
        error: 'cannot open /nowhere/model/config.json: no such file\n    at openCheckpoint',
        finishedAt: new Date(),
      },
    });
    // Two runs whose ids share their first 8 digits: a short id of 8 is ambiguous between them.
    await createTwinRuns(db);
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('turns a unique prefix into the full run id, and says why others name no run', async () => {
    const answer = async (prefix: string) => {
      const { data, errors } = await api.gql<{ runId: string }>(RUN_ID_QUERY, { prefix });
      return data?.runId ?? errors?.map((e) => `${e.extensions?.code}: ${e.message}`).join('; ');
    };
    expect(await answer(succeeded.slice(0, 8))).toBe(succeeded);
    expect(await answer(succeeded.slice(0, 8).toUpperCase())).toBe(succeeded);
    expect(await answer(succeeded)).toBe(succeeded);
    expect(await answer('abcd1234-0000-4000-8000-000000000002')).toBe(
      'abcd1234-0000-4000-8000-000000000002',
    );
    expect(await answer('abcd1234')).toMatch(/^BAD_USER_INPUT: .*starts several run ids/);
    expect(await answer('abc')).toMatch(/^BAD_USER_INPUT: .*too short/);
    expect(await answer('xyz-123')).toMatch(/^BAD_USER_INPUT: .*not a run id/);
    expect(await answer('ffffffff')).toMatch(/^NOT_FOUND: run ffffffff does not exist/);
  });

  it('watches a run by its short id, and reports an unknown run as unknown, not unreachable', async () => {
    const watched = await lab(['watch', succeeded.slice(0, 8)], env);
    expect(watched.stdout).toMatch(/SUCCEEDED .*100%/);
    expect(watched.code).toBe(0);

    const unknownShort = await lab(['watch', 'ffffffff'], env);
    expect(unknownShort.code).toBe(1);
    expect(unknownShort.stderr).toContain('run ffffffff does not exist');
    expect(unknownShort.stderr).not.toContain('cannot reach');

    // A whole id goes straight to the subscription, whose GraphQL errors come back as they are.
    const unknownFull = await lab(['watch', '00000000-0000-4000-8000-000000000000'], env);
    expect(unknownFull.code).toBe(1);
    expect(unknownFull.stderr).toMatch(/00000000-0000-4000-8000-000000000000/);
    expect(unknownFull.stderr).not.toContain('cannot reach');

    const down = await lab(['watch', 'ffffffff'], { FACTORLAB_API_URL: 'http://127.0.0.1:9' });
    expect(down.stderr).toContain('cannot reach');
  }, 60_000);

  it('lists runs in aligned columns with short ids and why a run failed', async () => {
    const listed = await lab(['runs'], env);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    const header = lines[1]!;
    const row = (id: string) => lines.find((line) => line.startsWith(id.slice(0, 8)))!;
    for (const id of [succeeded, failed]) {
      expect(row(id).indexOf('SUCCEEDED') + row(id).indexOf('FAILED') + 1).toBe(
        header.indexOf('STATUS'),
      );
    }
    const reason = lines[lines.indexOf(row(failed)) + 1]!;
    expect(reason.trim()).toBe('error: cannot open /nowhere/model/config.json: no such file');
  }, 60_000);

  it('refuses a relative model path at queue time, naming the absolute one', async () => {
    const before = await database.db.run.count();
    const queued = await lab(['queue', 'inference-bench', '--set', 'model=models/demo'], env);
    expect(queued.code).toBe(1);
    expect(queued.stderr).toContain('config.model: "models/demo" is a relative path');
    expect(queued.stderr).toContain(`model=${path.resolve(repoRoot, 'models/demo')}`);
    expect(await database.db.run.count()).toBe(before);
  }, 60_000);
});

describe('lab start', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(databaseTargets()[0]!);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('says "stopped" on Ctrl-C once everything has stopped', async () => {
    const lab = spawnLab(['start', '--no-web', '--no-worker'], {
      DATABASE_URL: database.url,
      FACTORLAB_API_PORT: String(await freePort()),
    });
    await lab.waitFor(/press Ctrl-C to stop/);
    // As a person would: a while after the line. A SIGINT within milliseconds of it can still
    // kill the process outright under NODE_ENV=test (reported; not this test's subject).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const code = await lab.interrupt();
    expect({ code, output: lab.output() }).toEqual({
      code: 0,
      output: expect.stringMatching(/stopping\.\.\.\nstopped\n/),
    });
  }, 120_000);
});

describe('command-line formatting', () => {
  it('prints metric values at 4 significant digits without float noise', () => {
    expect(formatMetricValue(0.1 + 0.2)).toBe('0.3');
    expect(formatMetricValue(123.456789)).toBe('123.5');
    expect(formatMetricValue(1234567)).toBe('1235000');
  });

  it('widens each column of lab runs to its longest cell', () => {
    const lines = formatRunsTable([
      {
        id: 'a'.repeat(36),
        kind: 'selftest',
        status: 'QUEUED',
        queuedAt: '2026-01-01T00:00:00.000Z',
        error: null,
        metrics: [],
      },
      {
        id: 'b'.repeat(36),
        kind: 'inference-bench',
        status: 'SUCCEEDED',
        queuedAt: '2026-01-01T00:00:01.000Z',
        error: null,
        metrics: [{ key: 'x', value: 2 / 3 }],
      },
    ]);
    expect(lines).toEqual([
      'ID        KIND             STATUS     QUEUED                METRICS',
      'aaaaaaaa  selftest         QUEUED     2026-01-01 00:00:00Z',
      'bbbbbbbb  inference-bench  SUCCEEDED  2026-01-01 00:00:01Z  x=0.6667',
    ]);
  });

  it('explains an empty generation', () => {
    expect(emptyGenerationHint('Once upon a time', 4)).toBeNull();
    expect(emptyGenerationHint('  \n', 32)).toMatch(
      /32 tokens decode to nothing visible.*models\/demo/,
    );
    expect(emptyGenerationHint('', 0)).toMatch(/end-of-sequence/);
  });
});
