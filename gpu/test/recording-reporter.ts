import type {
  ArtifactReport,
  BenchmarkReport,
  DeviceInfo,
  Reporter,
  ResumePoint,
} from '../src/index.ts';

/** A Reporter that keeps every call, for assertions; `stopAfter` progress calls, it asks to stop. */
export class RecordingReporter implements Reporter {
  readonly progressCalls: { fraction: number; stage: string | undefined }[] = [];
  readonly metricCalls: { step: number; values: Record<string, number> }[] = [];
  readonly devices: DeviceInfo[] = [];
  readonly logs: string[] = [];
  readonly benchmarks: BenchmarkReport[] = [];
  readonly artifacts: ArtifactReport[] = [];

  constructor(
    private readonly stopAfter = Number.POSITIVE_INFINITY,
    private readonly resumePoint: ResumePoint | null = null,
  ) {}

  progress(fraction: number, stage?: string): void {
    this.progressCalls.push({ fraction, stage });
  }

  metrics(step: number, values: Record<string, number>): void {
    this.metricCalls.push({ step, values });
  }

  device(info: DeviceInfo): void {
    this.devices.push(info);
  }

  log(message: string): void {
    this.logs.push(message);
  }

  shouldStop(): boolean {
    return this.progressCalls.length >= this.stopAfter;
  }

  benchmark(row: BenchmarkReport): void {
    this.benchmarks.push(row);
  }

  artifact(artifact: ArtifactReport): void {
    this.artifacts.push(artifact);
  }

  resumeFrom(): ResumePoint | null {
    return this.resumePoint;
  }
}
