import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertQueuedExperiment } from '../../api/src/graphql/experiments/experiments.service.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { queueSelftest, waitForRunStatus } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';
import { CHECKPOINTING_COUNTER, checkpointingCounterJob } from './jobs/checkpointing-counter.ts';

interface ActionResult {
  run: { id: string; status: string; name: string; config: Record<string, unknown> } | null;
  userErrors: { field: string | null; message: string; code: string }[];
}

const RUN_FIELDS = 'run { id status name config } userErrors { field message code }';
const CANCEL = `mutation($id: ID!) { cancelRun(id: $id) { ${RUN_FIELDS} } }`;
const RETRY = `mutation($id: ID!) { retryRun(id: $id) { ${RUN_FIELDS} } }`;
const CLONE = `mutation($id: ID!, $patch: JSON, $name: String) {
  cloneRun(id: $id, configPatch: $patch, name: $name) { ${RUN_FIELDS} } }`;

async function jobCount(database: TestDatabase, runId: string): Promise<number> {
  const { rows } = await database.sql.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM graphile_worker.jobs WHERE key = $1',
    [runId],
  );
  return rows[0]!.count;
}

async function rowCounts(database: TestDatabase) {
  const { rows } = await database.sql.query(
    `SELECT (SELECT count(*)::int FROM experiment) AS experiments,
            (SELECT count(*)::int FROM run) AS runs`,
  );
  return rows[0];
}

describe.each(databaseTargets())('cancel, retry and clone on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;

  async function act(query: string, variables: Record<string, unknown>, name: string) {
    const response = await api.gql<Record<string, ActionResult>>(query, variables);
    expect(response.errors).toBeUndefined();
    return response.data![name]!;
  }

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('cancels a queued run at once and removes its queue job', async () => {
    const queued = await queueSelftest(database.db, { size: 8 });
    expect(await jobCount(database, queued.id)).toBe(1);
    const result = await act(CANCEL, { id: queued.id }, 'cancelRun');
    expect(result).toMatchObject({ run: { id: queued.id, status: 'CANCELLED' }, userErrors: [] });
    expect(await jobCount(database, queued.id)).toBe(0);

    const again = await act(CANCEL, { id: queued.id }, 'cancelRun');
    expect(again.run).toBeNull();
    expect(again.userErrors).toEqual([
      { field: 'id', code: 'CONFLICT', message: expect.stringContaining('CANCELLED') },
    ]);
  });

  it('reports an unknown run as NOT_FOUND', async () => {
    const result = await act(CANCEL, { id: '00000000-0000-4000-8000-000000000001' }, 'cancelRun');
    expect(result.userErrors[0]).toMatchObject({ field: 'id', code: 'NOT_FOUND' });
  });

  it('retries a cancelled run as a new queued run of the same experiment', async () => {
    const queued = await queueSelftest(database.db, { size: 9 });
    await act(CANCEL, { id: queued.id }, 'cancelRun');
    const retried = await act(RETRY, { id: queued.id }, 'retryRun');
    expect(retried.userErrors).toEqual([]);
    expect(retried.run).toMatchObject({ status: 'QUEUED', config: queued.config });
    expect(retried.run!.id).not.toBe(queued.id);
    const rows = await database.db.run.findMany({ where: { experimentId: queued.experimentId } });
    expect(rows.map((r) => r.status).sort()).toEqual(['CANCELLED', 'QUEUED']);
    expect(await jobCount(database, retried.run!.id)).toBe(1);
  });

  it('refuses to retry a run that has not failed or been cancelled', async () => {
    const queued = await queueSelftest(database.db, { size: 10 });
    const result = await act(RETRY, { id: queued.id }, 'retryRun');
    expect(result).toMatchObject({ run: null, userErrors: [{ field: 'id', code: 'CONFLICT' }] });
  });

  it('clones a run with a config patch merged into a new queued experiment', async () => {
    const queued = await queueSelftest(database.db, { size: 11, repeats: 3 });
    const clone = await act(CLONE, { id: queued.id, patch: { size: 12 } }, 'cloneRun');
    expect(clone.userErrors).toEqual([]);
    expect(clone.run).toMatchObject({
      status: 'QUEUED',
      name: 'selftest (clone)',
      config: { ...(queued.config as object), size: 12, repeats: 3 },
    });
  });

  it('refuses a clone whose patch breaks the job schema, naming the field, writing nothing', async () => {
    const queued = await queueSelftest(database.db, { size: 13 });
    const before = await rowCounts(database);
    const clone = await act(CLONE, { id: queued.id, patch: { size: -1 } }, 'cloneRun');
    expect(clone).toMatchObject({
      run: null,
      userErrors: [{ field: 'configPatch.size', code: 'BAD_USER_INPUT' }],
    });
    expect(await rowCounts(database)).toEqual(before);
  });

  describe('with a worker', () => {
    let worker: LabWorker;
    beforeAll(async () => {
      worker = await startWorker(database.db, database.url, {
        extraJobs: { [CHECKPOINTING_COUNTER]: checkpointingCounterJob },
      });
    });
    afterAll(async () => {
      await worker?.stop();
    });

    /** A counter of `steps` steps of 20 ms that never checkpoints. */
    function queueCounter(steps: number): Promise<string> {
      return database.db.$transaction((tx) =>
        insertQueuedExperiment(tx, {
          kind: CHECKPOINTING_COUNTER,
          name: 'counter',
          config: { steps, checkpointEvery: steps + 1, stepMs: 20, dir: tmpdir() },
          priority: 0,
          tags: [],
        }),
      );
    }

    async function lastStep(runId: string): Promise<number | null> {
      const { rows } = await database.sql.query<{ last: number | null }>(
        `SELECT max(step) AS last FROM metric_point WHERE run_id = $1 AND key = 'value'`,
        [runId],
      );
      return rows[0]!.last;
    }

    it('stops a running run between steps and goes on to the next run', async () => {
      // 50,000 steps of 20 ms: a job that ignored cancellation would hold the worker for 1,000 s.
      const steps = 50_000;
      const long = await queueCounter(steps);
      const deadline = Date.now() + 30_000;
      while (((await lastStep(long)) ?? -1) < 2) {
        if (Date.now() > deadline) throw new Error('the counter recorded no steps in 30 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const result = await act(CANCEL, { id: long }, 'cancelRun');
      expect(result.run?.status).toBe('CANCELLED');

      // The worker runs one run at a time: the next one finishes only if the long one stopped.
      const next = await queueCounter(3);
      const finished = await waitForRunStatus(database.db, next, undefined, 20_000);
      expect(finished.status).toBe('SUCCEEDED');
      const cancelled = await database.db.run.findUniqueOrThrow({ where: { id: long } });
      expect(cancelled.status).toBe('CANCELLED');
      expect(cancelled.finishedAt).not.toBeNull();
      const stoppedAt = await lastStep(long);
      expect(stoppedAt).toBeLessThan(steps - 1);
      // Nothing more is written for it once it has stopped.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await lastStep(long)).toBe(stoppedAt);
    });
  });
});
