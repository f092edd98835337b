import type { JobDefinition } from '@factorlab/gpu';
import type { Db } from '../db/client.ts';
import type { PathRoots } from '../files/path-roots.ts';
import { enqueueRun } from '../queue/enqueue.ts';
import { latestCheckpoint } from './artifact-record.ts';
import { watchDevice } from './device-loss.ts';
import { confineJobPaths, withCorpusDirectory } from './job-paths.ts';
import { discardPointsAfter, type MetricSink } from './metric-writer.ts';
import { RunLog } from './run-log.ts';
import { RunReporter } from './run-reporter.ts';

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Where a worker's jobs may read and write, and where they cache the tokenised corpus. */
export interface JobFolders {
  paths: PathRoots;
  corpusDirectory: string;
}

/** How a run left this worker: ended (succeeded, failed, cancelled), or back in the queue. */
export type RunOutcome = 'finished' | 'released';

/** Finds the job of a kind: the catalogue's, or one a worker was given besides. */
export type JobLookup = (kind: string) => JobDefinition | undefined;

/**
 * Runs one queued run on this worker: claims it, calls the job of its kind with its config and a
 * reporter that writes to Postgres, and records how it ended. A job's failure is the run's outcome
 * (FAILED with the reason), not the queue's: only a crash of the worker itself leaves the job to
 * be retried. A run started before resumes from its latest checkpoint, if it reported one. A config
 * naming a path outside `paths` fails the run before the job reads it. A GPU device lost during
 * the run fails it with the reason, whatever the job returned.
 */
export async function executeRun(
  db: Db,
  metricSink: MetricSink,
  workerId: string,
  runId: string,
  findJob: JobLookup,
  folders: JobFolders,
  workerStopping: () => boolean = () => false,
): Promise<RunOutcome> {
  const { paths } = folders;
  const claimed = await db.run.updateManyAndReturn({
    where: { id: runId, status: { in: ['QUEUED', 'RUNNING'] } },
    data: {
      status: 'RUNNING',
      workerId,
      attempt: { increment: 1 },
      startedAt: new Date(),
      error: null,
    },
    select: { id: true, attempt: true },
  });
  if (claimed.length === 0) return 'finished'; // cancelled or already finished: nothing to do

  const run = await db.run.findUniqueOrThrow({
    where: { id: runId },
    include: { experiment: true },
  });
  const attempt = claimed[0]!.attempt;
  const resumed = attempt > 1;
  const resumePoint = resumed ? await latestCheckpoint(db, runId) : null;
  if (resumed) await discardPointsAfter(db, runId, resumePoint?.step ?? -1);
  const runLog = await RunLog.open(db, runId);
  const reporter = new RunReporter(db, metricSink, runId, runLog, resumePoint, workerStopping);
  reporter.note(
    'INFO',
    `attempt ${attempt} of ${run.experiment.kind} started` +
      (resumePoint ? `, resuming after step ${resumePoint.step}` : ''),
  );
  try {
    const job = findJob(run.experiment.kind);
    if (!job) throw new Error(`this worker has no job of kind "${run.experiment.kind}"`);
    const config = job.schema.parse(
      withCorpusDirectory(job.kind, run.experiment.config, folders.corpusDirectory),
    );
    await confineJobPaths(job.kind, config as Record<string, unknown>, paths);
    const device = await watchDevice();
    const running = job.run(config, reporter);
    running.catch(() => {}); // when the device is lost first, the race below reports that instead
    const result = await Promise.race([running, device.lost]);
    const lostReason = device.lostReason();
    if (lostReason) throw new Error(lostReason);
    if (reporter.stoppedForWorker) {
      await release(db, runId, reporter);
      return 'released';
    }
    reporter.metrics(reporter.finalStep, result.summary);
    reporter.note('INFO', reporter.wasCancelled ? 'stopped: the run was cancelled' : 'succeeded');
    await reporter.close();
    const stopped = reporter.wasCancelled;
    await db.run.update({
      where: { id: runId },
      data: stopped
        ? { finishedAt: new Date() }
        : { status: 'SUCCEEDED', progress: 1, finishedAt: new Date() },
    });
  } catch (error) {
    reporter.note('ERROR', describeError(error));
    await reporter.close().catch(() => {});
    await db.run.updateMany({
      where: { id: runId, status: 'RUNNING' },
      data: { status: 'FAILED', error: describeError(error), finishedAt: new Date() },
    });
  }
  return 'finished';
}

/**
 * Puts a run its stopping worker left between steps back in the queue, with a fresh queue job
 * (the current one ends with this task), so the next worker resumes it from its latest
 * checkpoint without spending one of the attempts kept for crashes.
 */
async function release(db: Db, runId: string, reporter: RunReporter): Promise<void> {
  reporter.note(
    'INFO',
    `released after step ${reporter.finalStep}: its worker is stopping; the next worker resumes it from its latest checkpoint`,
  );
  await reporter.close();
  await db.$transaction(async (tx) => {
    const released = await tx.run.updateManyAndReturn({
      where: { id: runId, status: 'RUNNING' },
      data: { status: 'QUEUED', workerId: null },
      select: { priority: true },
    });
    if (released.length > 0) await enqueueRun(tx, runId, released[0]!.priority);
  });
}
