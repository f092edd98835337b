import { getJob } from '@factorlab/gpu';
import type { Db } from '../db/client.ts';
import type { MetricSink } from './metric-writer.ts';
import { RunReporter } from './run-reporter.ts';

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs one queued run on this worker: claims it, calls the job of its kind with its config and a
 * reporter that writes to Postgres, and records how it ended. A job's failure is the run's outcome
 * (FAILED with the reason), not the queue's: only a crash of the worker itself leaves the job to
 * be retried.
 */
export async function executeRun(
  db: Db,
  metricSink: MetricSink,
  workerId: string,
  runId: string,
): Promise<void> {
  const claimed = await db.run.updateManyAndReturn({
    where: { id: runId, status: { in: ['QUEUED', 'RUNNING'] } },
    data: {
      status: 'RUNNING',
      workerId,
      attempt: { increment: 1 },
      startedAt: new Date(),
      error: null,
    },
    select: { id: true },
  });
  if (claimed.length === 0) return; // cancelled or already finished: nothing to do

  const run = await db.run.findUniqueOrThrow({
    where: { id: runId },
    include: { experiment: true },
  });
  const reporter = new RunReporter(db, metricSink, runId);
  try {
    const job = getJob(run.experiment.kind);
    if (!job) throw new Error(`this worker has no job of kind "${run.experiment.kind}"`);
    const config = job.schema.parse(run.experiment.config);
    const result = await job.run(config, reporter);
    reporter.metrics(reporter.finalStep, result.summary);
    await reporter.close();
    const stopped = reporter.shouldStop();
    await db.run.update({
      where: { id: runId },
      data: stopped
        ? { finishedAt: new Date() }
        : { status: 'SUCCEEDED', progress: 1, finishedAt: new Date() },
    });
  } catch (error) {
    await reporter.close().catch(() => {});
    await db.run.updateMany({
      where: { id: runId, status: 'RUNNING' },
      data: { status: 'FAILED', error: describeError(error), finishedAt: new Date() },
    });
  }
}
