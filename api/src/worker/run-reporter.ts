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
import { writeMetricPoints, type MetricPointRow, type MetricSink } from './metric-writer.ts';

const FLUSH_INTERVAL_MS = 500;
const MAX_BUFFERED_POINTS = 5000;

/**
 * The worker's Reporter: buffers what a job reports and writes it to Postgres in batches, off the
 * job's path; polls the run's status so a cancellation reaches the job between steps. Benchmark
 * rows and artifacts are written in order with the metric batches, after the points reported
 * before them.
 */
export class RunReporter implements Reporter {
  private buffered: MetricPointRow[] = [];
  private pendingProgress: number | null = null;
  private pendingDevice: DeviceInfo | null = null;
  private deviceInfo: DeviceInfo | null = null;
  private records: (() => Promise<void>)[] = [];
  private stage: string | undefined;
  private cancelled = false;
  private lastStep = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly metricSink: MetricSink,
    private readonly runId: string,
    private readonly resumePoint: ResumePoint | null = null,
  ) {
    this.timer = setInterval(() => this.schedule(), FLUSH_INTERVAL_MS);
  }

  progress(fraction: number, stage?: string): void {
    this.pendingProgress = Math.min(1, Math.max(0, fraction));
    if (stage && stage !== this.stage) this.log(stage);
    this.stage = stage ?? this.stage;
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
    console.log(`[run ${this.runId.slice(0, 8)}] ${message}`);
  }

  shouldStop(): boolean {
    return this.cancelled;
  }

  /** The step the job's summary is recorded at: the last one it reported. */
  get finalStep(): number {
    return this.lastStep;
  }

  /** Writes everything buffered; rethrows a write failure so the run does not pass silently. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.schedule();
    await this.writing;
    if (this.failure) throw this.failure;
  }

  private schedule(): void {
    this.writing = this.writing
      .then(() => this.flush())
      .catch((error: unknown) => {
        this.failure ??= error;
      });
  }

  private async flush(): Promise<void> {
    const points = this.buffered;
    const records = this.records;
    this.buffered = [];
    this.records = [];
    await writeMetricPoints(this.metricSink, this.runId, points);
    for (const record of records) await record();
    const data: Prisma.RunUpdateInput = {};
    if (this.pendingProgress !== null) data.progress = this.pendingProgress;
    if (this.pendingDevice !== null) data.device = { ...this.pendingDevice };
    this.pendingProgress = null;
    this.pendingDevice = null;
    const run = await this.db.run.update({
      where: { id: this.runId },
      data,
      select: { status: true },
    });
    this.cancelled = run.status === 'CANCELLED';
  }
}
