import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertQueuedExperiment } from '../../api/src/graphql/experiments/experiments.service.ts';
import { startWorker, type LabWorker } from '../../api/src/worker/worker.ts';
import type { TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { waitForRunStatus } from '../../test/support/runs.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';
import { REPORTED_DEVICE, REPORTING_JOB, reportingJob } from './jobs/reporting-job.ts';

describe.each(databaseTargets())(
  "a job's benchmark rows and artifacts through the worker, on the $name PostgreSQL",
  (target) => {
    let database: TestDatabase;
    let api: TestApi;
    let worker: LabWorker;
    let dir: string;
    useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'factorlab-reports-'));
      worker = await startWorker(database.db, database.url, {
        extraJobs: { [REPORTING_JOB]: reportingJob },
      });
    });
    afterAll(async () => {
      await worker?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    function queue(config: Record<string, unknown>) {
      return database.db.$transaction((tx) =>
        insertQueuedExperiment(tx, {
          kind: REPORTING_JOB,
          name: 'reporting',
          config,
          priority: 0,
          tags: [],
        }),
      );
    }

    it('records the benchmark row (linked to the registered model) and the hashed file', async () => {
      const model = await database.db.registeredModel.create({
        data: {
          name: 'm',
          path: '/models/m',
          config: {},
          parameterCount: 1,
          bytes: 1,
          sha256: 's',
        },
      });
      const reportPath = path.join(dir, 'report.txt');
      const runId = await queue({ reportPath, modelPath: '/models/m' });
      expect(await waitForRunStatus(database.db, runId)).toMatchObject({ status: 'SUCCEEDED' });

      const response = await api.gql<{
        run: {
          benchmarks: Record<string, unknown>[];
          artifacts: Record<string, unknown>[];
        };
      }>(
        `query($id: ID!) { run(id: $id) {
          benchmarks { experts topK decodeTokS speedup bound efficiency decodeP50Ms decodeP95Ms device
                       model { id } }
          artifacts { kind path bytes sha256 step }
        } }`,
        { id: runId },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data!.run.benchmarks).toEqual([
        {
          experts: 8,
          topK: 2,
          decodeTokS: 24,
          speedup: 1.5,
          bound: 3,
          efficiency: 0.25,
          decodeP50Ms: 41,
          decodeP95Ms: 45,
          device: REPORTED_DEVICE,
          model: { id: model.id },
        },
      ]);
      const bytes = await readFile(reportPath);
      expect(response.data!.run.artifacts).toEqual([
        {
          kind: 'REPORT',
          path: reportPath,
          bytes: bytes.length,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          step: null,
        },
      ]);
    });

    it('fails the run, naming the file, when a reported artifact cannot be read', async () => {
      const reportPath = path.join(dir, 'never-written.txt');
      const runId = await queue({ reportPath, skipWrite: true });
      const finished = await waitForRunStatus(database.db, runId);
      expect(finished.status).toBe('FAILED');
      expect(finished.error).toContain(reportPath);
      expect(await database.db.artifact.count({ where: { runId } })).toBe(0);
    });
  },
);
