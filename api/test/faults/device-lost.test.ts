import { acquireGpu, selftestJob, type JobDefinition, type Reporter } from '@factorlab/gpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type LabWorker } from '../../src/worker/worker.ts';
import { insertQueuedExperiment } from '../../src/graphql/experiments/experiments.service.ts';
import { queueSelftest, waitForRunStatus } from '../../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../../test/support/test-database.ts';

const DEVICE_LOSING_SELFTEST = 'device-losing-selftest';

/**
 * The real self-test, whose GPU device is destroyed (Dawn's device.destroy(), a real loss) once
 * it has compiled its kernel and checked it, just as it starts timing dispatches.
 */
const deviceLosingSelftest: JobDefinition<typeof selftestJob.schema> = {
  ...selftestJob,
  kind: DEVICE_LOSING_SELFTEST,
  async run(config, reporter) {
    const gpu = await acquireGpu();
    const losing: Reporter = {
      ...reporter,
      progress(fraction, stage) {
        reporter.progress(fraction, stage);
        if (stage === 'timing') gpu.device.destroy();
      },
      metrics: (step, values) => reporter.metrics(step, values),
      device: (info) => reporter.device(info),
      log: (message) => reporter.log(message),
      shouldStop: () => reporter.shouldStop(),
      benchmark: (row) => reporter.benchmark(row),
      artifact: (artifact) => reporter.artifact(artifact),
      resumeFrom: () => reporter.resumeFrom(),
    };
    return selftestJob.run(config, losing);
  },
};

describe.each(databaseTargets())('the GPU device lost mid-run, $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let worker: LabWorker;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    worker = await startWorker(database.db, database.url, {
      extraJobs: { [DEVICE_LOSING_SELFTEST]: deviceLosingSelftest },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await database?.drop();
  });

  it('fails the run with the reason, and the worker serves the next run on a new device', async () => {
    const doomed = await database.db.$transaction((tx) =>
      insertQueuedExperiment(tx, {
        kind: DEVICE_LOSING_SELFTEST,
        name: 'device lost',
        config: { size: 64, repeats: 50 },
        priority: 0,
        tags: [],
      }),
    );
    const failed = await waitForRunStatus(database.db, doomed, undefined, 30_000);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/^the GPU device was lost \(destroyed/);
    expect(failed.attempt).toBe(1);

    const next = await queueSelftest(database.db, { size: 64, repeats: 3 });
    const succeeded = await waitForRunStatus(database.db, next.id, undefined, 30_000);
    expect(succeeded.error).toBeNull();
    expect(succeeded.status).toBe('SUCCEEDED');
    expect(succeeded.workerId).toBe(worker.id);
    const { rows } = await database.sql.query<{ value: number }>(
      `SELECT value FROM metric_point WHERE run_id = $1 AND key = 'gflops'`,
      [next.id],
    );
    expect(rows[0]!.value).toBeGreaterThan(0);
  }, 90_000);
});
