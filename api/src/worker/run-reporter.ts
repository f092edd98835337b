import type {
  ArtifactReport,
  BenchmarkReport,
  DeviceInfo,
  Reporter,
  ResumePoint,
} from '@factorlab/gpu';
import type { Db } from '../db/client.ts';
import type { Prisma } from '../db/generated/client.ts';
import { recordArtifact } from './artifact-record.ts';
import { recordBenchmark } from './benchmark-record.ts';
import { isConnectionError } from './connection-errors.ts';
import { writeMetricPoints, type MetricPointRow, type MetricSink } from './metric-writer.ts';
import { ProgressLines } from './progress-lines.ts';
import { levelOf, type LogLevel, type RunLog } from './run-log.ts';

const FLUSH_INTERVAL_MS = 500;
const MAX_BUFFERED_POINTS = 5000;
/** How long the database may stay unreachable (a restart) before the run fails for it. */
const OUTAGE_TOLERANCE_MS = 60_000;

/**
 * The worker's Reporter: buffers what a job reports and writes it to Postgres in batches, off the
 * job's path (its text, stage changes and a few progress lines go to the run's log, see RunLog);
 * polls the run's status so a cancellation (or its worker stopping) reaches the job between steps. Benchmark
 * rows and artifacts are written in order with the metric batches, after the points reported
 * before them. While the database is unreachable (a restart), what could not be written is kept
 * and written once it is back; only an outage longer than OUTAGE_TOLERANCE_MS fails the run.
 */
export class RunReporter implements Reporter {
  private buffered: MetricPointRow[] = [];
  private pendingProgress: number | null = null;
  private pendingDevice: DeviceInfo | null = null;
  private deviceInfo: DeviceInfo | null = null;
  private records: (() => Promise<void>)[] = [];
  private readonly progressLines = new ProgressLines();
  private cancelled = false;
  private toldWorkerStopping = false;
  private lastStep = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  /** When writes began failing for a lost connection; null while they succeed. */
  private unreachableSince: number | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly metricSink: MetricSink,
    private readonly runId: string,
    private readonly runLog: RunLog,
    private readonly resumePoint: ResumePoint | null = null,
    /** True once this worker is stopping: the job should stop at its next step too. */
    private readonly workerStopping: () => boolean = () => false,
  ) {
    this.timer = setInterval(() => this.schedule(), FLUSH_INTERVAL_MS);
  }

  progress(fraction: number, stage?: string): void {
    this.pendingProgress = Math.min(1, Math.max(0, fraction));
    const line = this.progressLines.next(fraction, stage || undefined);
    if (line !== null) this.note('INFO', line);
  }

  metrics(step: number, values: Record<string, number>): void {
    this.lastStep = Math.max(this.lastStep, step);
    for (const [key, value] of Object.entries(values)) {
      if (Number.isFinite(value)) this.buffered.push({ key, step, value });
    }
    if (this.buffered.length >= MAX_BUFFERED_POINTS) this.schedule();
  }

  device(info: DeviceInfo): void {
    this.pendingDevice = info;
    this.deviceInfo = info;
  }

  benchmark(row: BenchmarkReport): void {
    const device = this.deviceInfo;
    this.records.push(() => recordBenchmark(this.db, this.runId, row, device));
    this.schedule();
  }

  artifact(artifact: ArtifactReport): void {
    this.records.push(() => recordArtifact(this.db, this.runId, { ...artifact }));
    this.schedule();
  }

  resumeFrom(): ResumePoint | null {
    return this.resumePoint;
  }

  log(message: string): void {
    this.note(levelOf(message), message);
  }

  /** A line of the run's log (the worker's own: start, end, the error that failed it). */
  note(level: LogLevel, message: string): void {
    const print = level === 'INFO' ? console.log : console.warn;
    print(`[run ${this.runId.slice(0, 8)}] ${level === 'INFO' ? '' : `${level}: `}${message}`);
    this.runLog.add(level, message);
  }

  shouldStop(): boolean {
    if (this.cancelled) return true;
    if (this.workerStopping()) this.toldWorkerStopping = true;
    return this.toldWorkerStopping;
  }

  /**
   * Whether the job was told to stop because its worker is stopping (and not cancelled): it then
   * left its work unfinished. A job that never asked ran to its end.
   */
  get stoppedForWorker(): boolean {
    return this.toldWorkerStopping && !this.cancelled;
  }

  /** Whether the run was cancelled while it ran. */
  get wasCancelled(): boolean {
    return this.cancelled;
  }

  /** The step the job's summary is recorded at: the last one it reported. */
  get finalStep(): number {
    return this.lastStep;
  }

  /** Writes everything buffered; rethrows a write failure so the run does not pass silently. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (;;) {
      this.schedule();
      await this.writing;
      if (this.failure) throw this.failure;
      if (this.unreachableSince === null) return;
      await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS));
    }
  }

  private schedule(): void {
    this.writing = this.writing
      .then(() => this.flush())
      .then(
        () => {
          this.unreachableSince = null;
        },
        (error: unknown) => {
          if (!isConnectionError(error)) {
            this.failure ??= error;
            return;
          }
          this.unreachableSince ??= Date.now();
          if (Date.now() - this.unreachableSince > OUTAGE_TOLERANCE_MS) this.failure ??= error;
        },
      );
  }

  /** Writes what is buffered; on failure, what was not written goes back to be written next. */
  private async flush(): Promise<void> {
    // First, so that a failure leaves the points and records below buffered as they are.
    await this.runLog.flush();
    const points = this.buffered;
    const records = this.records;
    this.buffered = [];
    this.records = [];
    try {
      // Rewriting a point overwrites it, so a batch that failed part way is simply sent again.
      await writeMetricPoints(this.metricSink, this.runId, points);
    } catch (error) {
      this.buffered = [...points, ...this.buffered];
      this.records = [...records, ...this.records];
      throw error;
    }
    for (const [index, record] of records.entries()) {
      try {
        await record();
      } catch (error) {
        this.records = [...records.slice(index), ...this.records];
        throw error;
      }
    }
    const { pendingProgress: progress, pendingDevice: device } = this;
    const data: Prisma.RunUpdateInput = {};
    if (progress !== null) data.progress = progress;
    if (device !== null) data.device = { ...device };
    this.pendingProgress = null;
    this.pendingDevice = null;
    let run: { status: string };
    try {
      run = await this.db.run.update({
        where: { id: this.runId },
        data,
        select: { status: true },
      });
    } catch (error) {
      this.pendingProgress ??= progress;
      this.pendingDevice ??= device;
      throw error;
    }
    this.cancelled = run.status === 'CANCELLED';
  }
}
