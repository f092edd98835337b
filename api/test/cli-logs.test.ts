import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PENDING_LINES, RunLog, type LogLevel } from '../../api/src/worker/run-log.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { runLab, spawnLab } from '../../test/support/lab-process.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR) (.*)$/;

describe('lab logs', () => {
  let database: TestDatabase;
  let api: TestApi;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(databaseTargets()[0]!);
    api = await startTestApi(database);
    env = { FACTORLAB_API_URL: api.url };
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  async function write(runId: string, lines: [LogLevel, string][]) {
    const log = await RunLog.open(database.db, runId);
    for (const [i, [level, message]] of lines.entries()) {
      log.add(level, message);
      if ((i + 1) % MAX_PENDING_LINES === 0) await log.flush();
    }
    await log.flush();
  }

  it('prints a whole log by short id, over several pages, and as JSON lines', async () => {
    const run = await queueSelftest(database.db, { size: 8 });
    const messages = Array.from({ length: 1201 }, (_, i) => `line ${i + 1}`);
    await write(run.id, [
      ...messages.map((m): [LogLevel, string] => ['INFO', m]),
      ['WARN', 'warning: slow'],
    ]);

    const plain = await runLab(['logs', run.id.slice(0, 8)], env);
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    const printed = plain.stdout.trimEnd().split('\n');
    expect(printed).toHaveLength(1202);
    expect(printed.map((line) => LINE.exec(line)?.[2])).toEqual([...messages, 'warning: slow']);
    expect(LINE.exec(printed.at(-1)!)?.[1]).toBe('WARN ');

    const json = await runLab(['logs', run.id, '--json'], env);
    expect(json.code).toBe(0);
    const objects = json.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; level: string; message: string });
    expect(objects.map((o) => o.seq)).toEqual(objects.map((_, i) => i + 1));
    expect(objects.at(-1)).toMatchObject({ seq: 1202, level: 'WARN', message: 'warning: slow' });
  }, 60_000);

  it('follows a running run until it ends, printing each line once', async () => {
    const run = await queueSelftest(database.db, { size: 9 });
    await database.db.run.update({ where: { id: run.id }, data: { status: 'RUNNING' } });
    await write(run.id, [['INFO', 'stored before']]);
    const following = spawnLab(['logs', run.id.slice(0, 8), '--follow'], env);
    const exited = new Promise<number | null>((resolve) =>
      following.child.once('exit', (exitCode) => resolve(exitCode)),
    );
    try {
      await following.waitFor(/stored before/, 30_000);
      await write(run.id, [['INFO', 'streamed 1']]);
      await following.waitFor(/streamed 1/, 30_000);
      await write(run.id, [
        ['INFO', 'streamed 2'],
        ['ERROR', 'the last words'],
      ]);
      await database.db.run.update({ where: { id: run.id }, data: { status: 'FAILED' } });
      expect(await exited).toBe(0);
      const printed = following
        .output()
        .trimEnd()
        .split('\n')
        .map((line) => LINE.exec(line)?.[2]);
      expect(printed).toEqual(['stored before', 'streamed 1', 'streamed 2', 'the last words']);
    } finally {
      await following.interrupt();
    }
  }, 60_000);

  it('says which run does not exist, and returns at once for a finished run', async () => {
    const unknown = await runLab(['logs', '00000000-0000-4000-8000-000000000000'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no run has the id 00000000-0000-4000-8000-000000000000');
    const unknownShort = await runLab(['logs', 'ffffffff'], env);
    expect(unknownShort.code).toBe(1);
    expect(unknownShort.stderr).toContain('run ffffffff does not exist');

    const finished = await queueSelftest(database.db, { size: 10 });
    await database.db.run.update({ where: { id: finished.id }, data: { status: 'SUCCEEDED' } });
    const followed = await runLab(['logs', finished.id, '--follow'], env);
    expect(followed).toMatchObject({ code: 0, stdout: '' });
    expect(followed.stderr).toBe(
      `run ${finished.id} has no log lines (runs of workers older than run logs have none)\n`,
    );
    const queued = await queueSelftest(database.db, { size: 11 });
    const early = await runLab(['logs', queued.id.slice(0, 8)], env);
    expect(early).toMatchObject({ code: 0, stdout: '' });
    expect(early.stderr).toContain(`lab logs ${queued.id.slice(0, 8)} --follow\` waits for them`);
  }, 60_000);
});
