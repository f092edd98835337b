import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../api/src/auth/api-keys.ts';
import { enqueueRun } from '../../api/src/queue/enqueue.ts';
import { RunLog } from '../../api/src/worker/run-log.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { queueSelftest, waitForRunStatus } from '../../test/support/runs.ts';
import { subscribe, wsClient } from '../../test/support/subscriptions.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

interface Line {
  seq: number;
  level: string;
  message: string;
  loggedAt: string;
}
interface Page {
  lines: Line[];
  lastSeq: number;
  hasNextPage: boolean;
}
interface Batch {
  lastSeq: number;
  lines: Line[];
}

const LOGS = `query($id: ID!, $after: Int, $first: Int, $last: Int) {
  run(id: $id) { logs(after: $after, first: $first, last: $last) {
    lines { seq level message loggedAt } lastSeq hasNextPage } } }`;
const LOGS_APPENDED = `subscription($runId: ID!, $afterSeq: Int) {
  logsAppended(runId: $runId, afterSeq: $afterSeq) { lastSeq lines { seq level message } } }`;

async function writeLines(database: TestDatabase, runId: string, messages: string[]) {
  const log = await RunLog.open(database.db, runId);
  for (const message of messages) log.add('INFO', message);
  await log.flush();
}

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

describe.each(databaseTargets())('run logs on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  describe('written by the worker', () => {
    let worker: LabWorker;
    beforeAll(async () => {
      worker = await startWorker(database.db, database.url);
    });
    afterAll(() => worker?.stop());

    it('logs a self-test run: start, each stage, a few progress lines, success', async () => {
      const repeats = 60;
      const queued = await queueSelftest(database.db, { size: 32, repeats });
      const run = await waitForRunStatus(database.db, queued.id);
      expect(run.status).toBe('SUCCEEDED');
      const lines = await database.db.runLog.findMany({
        where: { runId: queued.id },
        orderBy: { seq: 'asc' },
      });
      expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
      const messages = lines.map((l) => l.message);
      expect(messages[0]).toBe('attempt 1 of selftest started');
      expect(messages).toContain('acquiring GPU (0%)');
      expect(messages).toContain('compiling matmul (5%)');
      expect(messages).toContain('checking against the CPU reference (10%)');
      expect(messages).toContain('timing (50%)');
      expect(messages.at(-1)).toBe('succeeded');
      // One progress tick per timed dispatch: far fewer lines than ticks.
      expect(lines.length).toBeLessThan(15);
      expect(lines.every((l) => l.level === 'INFO')).toBe(true);
      const times = lines.map((l) => l.loggedAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    it('logs the error that failed a run as an ERROR line', async () => {
      const runId = await database.db.$transaction(async (tx) => {
        const experiment = await tx.experiment.create({
          data: { name: 'ghost', kind: 'ghost', config: {}, configHash: 'g', runs: { create: {} } },
          include: { runs: true },
        });
        await enqueueRun(tx, experiment.runs[0]!.id, 0);
        return experiment.runs[0]!.id;
      });
      const run = await waitForRunStatus(database.db, runId);
      expect(run.status).toBe('FAILED');
      const { data } = await api.gql<{ run: { logs: Page } }>(LOGS, { id: runId });
      expect(data!.run.logs.lines.map(({ level, message }) => ({ level, message }))).toEqual([
        { level: 'INFO', message: 'attempt 1 of ghost started' },
        { level: 'ERROR', message: run.error },
      ]);
    });
  });

  it('pages through a log after a seq, and reads its tail', async () => {
    const run = await queueSelftest(database.db, { size: 12 });
    await writeLines(database, run.id, numbered(1, 250));
    const page = async (variables: Record<string, unknown>) => {
      const { data, errors } = await api.gql<{ run: { logs: Page } }>(LOGS, {
        id: run.id,
        ...variables,
      });
      expect(errors).toBeUndefined();
      return data!.run.logs;
    };
    const first = await page({});
    expect(first.lines).toHaveLength(100);
    expect(first).toMatchObject({ lastSeq: 100, hasNextPage: true });
    expect(first.lines[0]).toMatchObject({ seq: 1, level: 'INFO', message: 'line 1' });
    expect(Date.parse(first.lines[0]!.loggedAt)).not.toBeNaN();

    const collected: Line[] = [];
    let after = 0;
    for (let more = true; more;) {
      const next = await page({ after, first: 120 });
      collected.push(...next.lines);
      after = next.lastSeq;
      more = next.hasNextPage;
    }
    expect(collected.map((l) => l.message)).toEqual(numbered(1, 250));
    expect(await page({ after: 250 })).toEqual({ lines: [], lastSeq: 250, hasNextPage: false });

    const tail = await page({ last: 3 });
    expect(tail.lines.map((l) => l.seq)).toEqual([248, 249, 250]);
    expect(tail).toMatchObject({ lastSeq: 250, hasNextPage: false });
  });

  it.each([
    [{ first: 0 }, 'first', /from 1 to 500/],
    [{ first: 501 }, 'first', /from 1 to 500/],
    [{ last: 0 }, 'last', /from 1 to 500/],
    [{ after: -1 }, 'after', /0 or more/],
    [{ last: 5, after: 3 }, 'last', /cannot be combined/],
  ])('refuses logs(%o): names %s', async (variables, field, message) => {
    const run = await queueSelftest(database.db, { size: 13 });
    const { errors } = await api.gql(LOGS, { id: run.id, ...variables });
    expect(errors).toHaveLength(1);
    expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(errors![0]!.message).toMatch(message);
  });

  it('prices logs by the lines asked for, like the other lists', async () => {
    const { errors } = await api.gql(
      `{ runs(first: 100) { edges { node { logs(first: 500) { lines { seq message } } } } } }`,
    );
    expect(errors?.[0]?.message).toMatch(/query cost \d+ exceeds the limit/);
  });

  it('streams stored lines, then new ones, resumable after a seq', async () => {
    const run = await queueSelftest(database.db, { size: 14 });
    await writeLines(database, run.id, numbered(1, 700));
    const client = wsClient(api.url);
    try {
      const count = (batches: Batch[]) => batches.reduce((n, b) => n + b.lines.length, 0);
      const fromStart = subscribe<Batch>(client, LOGS_APPENDED, { runId: run.id }, 'logsAppended');
      const resumed = subscribe<Batch>(
        client,
        LOGS_APPENDED,
        { runId: run.id, afterSeq: 650 },
        'logsAppended',
      );
      await fromStart.until((b) => count(b) === 700);
      await resumed.until((b) => count(b) === 50);

      await writeLines(database, run.id, ['new 1']);
      await writeLines(database, run.id, ['new 2', 'new 3']);
      const all = await fromStart.until((b) => count(b) === 703);
      const tail = await resumed.until((b) => count(b) === 53);
      expect(all.flatMap((b) => b.lines.map((l) => l.seq))).toEqual(numbers(1, 703));
      expect(tail.flatMap((b) => b.lines.map((l) => l.message)).slice(-3)).toEqual([
        'new 1',
        'new 2',
        'new 3',
      ]);
      expect(all.at(-1)!.lastSeq).toBe(703);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a log subscription without a key, and ends it when its key is revoked', async () => {
    const securedApi = await startTestApi(database, 'on');
    const run = await queueSelftest(database.db, { size: 15 });
    await writeLines(database, run.id, ['before']);
    const viewerKey = await createApiKey(database.db, { name: 'logs viewer', role: 'VIEWER' });
    const anonymous = wsClient(securedApi.url);
    const viewer = wsClient(securedApi.url, viewerKey.token);
    try {
      const refused = subscribe<Batch>(anonymous, LOGS_APPENDED, { runId: run.id }, 'logsAppended');
      await expect(refused.until((b) => b.length > 0, 5000)).rejects.toThrow(/UNAUTHENTICATED/);
      const allowed = subscribe<Batch>(viewer, LOGS_APPENDED, { runId: run.id }, 'logsAppended');
      await allowed.until((b) => b.length === 1);
      await revokeApiKey(database.db, viewerKey.prefix);
      await writeLines(database, run.id, ['after the revocation']);
      await expect(allowed.until((b) => b.length > 1, 5000)).rejects.toThrow(/UNAUTHENTICATED/);
      expect(allowed.events).toHaveLength(1);
    } finally {
      await anonymous.dispose();
      await viewer.dispose();
      await securedApi.stop();
    }
  });

  it('says when the subscribed run does not exist', async () => {
    const client = wsClient(api.url);
    try {
      const missing = subscribe<Batch>(
        client,
        LOGS_APPENDED,
        { runId: '00000000-0000-4000-8000-00000000dead' },
        'logsAppended',
      );
      await expect(missing.until((b) => b.length > 0, 5000)).rejects.toThrow(/NOT_FOUND/);
    } finally {
      await client.dispose();
    }
  });
});

function numbers(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
