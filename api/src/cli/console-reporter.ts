import type {
  ArtifactReport,
  BenchmarkReport,
  DeviceInfo,
  Reporter,
  ResumePoint,
} from '@factorlab/gpu';

export interface ConsoleReporterOptions {
  /** The checkpoint a resumed run continues from. */
  resumeFrom?: ResumePoint | null;
  /**
   * Draw a progress bar (with the ETA and these metrics' latest values) instead of one line
   * per stage; redrawn in place on a terminal, else printed at most every 10 seconds. A training
   * job's bar follows its `step ...` stages; with `everyStage`, every stage moves it.
   */
  progressBar?: { metrics: readonly string[]; everyStage?: boolean };
}

const BAR_WIDTH = 24;
const PLAIN_PROGRESS_INTERVAL_MS = 10_000;

/** 3725 s as "1h02m05s". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const pad = (value: number) => String(value).padStart(2, '0');
  return h > 0 ? `${h}h${pad(m)}m${pad(s)}s` : m > 0 ? `${m}m${pad(s)}s` : `${s}s`;
}

/**
 * Runs a job here, printing what it reports: stages, device, benchmark rows and log lines on
 * stderr, so stdout stays the command's result; metrics and rows are kept for the command.
 * `stop()` (e.g. on Ctrl-C) asks the job to return at its next safe point.
 */
export class ConsoleReporter implements Reporter {
  private stage: string | undefined;
  private stopRequested = false;
  private barStarted: { at: number; fraction: number } | undefined;
  private lastPlainBar = 0;
  private barShown = false;
  readonly latest: Record<string, number> = {};
  readonly benchmarks: BenchmarkReport[] = [];
  deviceInfo: DeviceInfo | null = null;

  constructor(private readonly options: ConsoleReporterOptions = {}) {}

  progress(fraction: number, stage?: string): void {
    const bar = this.options.progressBar;
    if (bar && stage && (bar.everyStage || stage.startsWith('step '))) {
      this.drawBar(fraction, stage);
      return;
    }
    if (stage && stage !== this.stage) {
      this.write(`[${Math.round(fraction * 100)}%] ${stage}\n`);
      this.stage = stage;
    }
  }

  stop(): void {
    this.stopRequested = true;
  }

  metrics(_step: number, values: Record<string, number>): void {
    Object.assign(this.latest, values);
  }

  device(info: DeviceInfo): void {
    this.deviceInfo = info;
    process.stderr.write(`device: ${info.description || info.device} (${info.backend})\n`);
  }

  log(message: string): void {
    this.write(`${message}\n`);
  }

  shouldStop(): boolean {
    return this.stopRequested;
  }

  benchmark(row: BenchmarkReport): void {
    this.benchmarks.push(row);
    const speedup = row.denseDecodeTokS
      ? ` (${(row.decodeTokS / row.denseDecodeTokS).toFixed(2)}x dense)`
      : '';
    this.write(
      `benchmark: batch ${row.batch}, prompt ${row.promptLen}, gen ${row.genLen}: ` +
        `prefill ${row.prefillTokS.toFixed(1)} tok/s, decode ${row.decodeTokS.toFixed(1)} tok/s${speedup}\n`,
    );
  }

  artifact(artifact: ArtifactReport): void {
    const step = artifact.step === undefined ? '' : ` at step ${artifact.step}`;
    this.write(`artifact: ${artifact.kind.toLowerCase()} ${artifact.path}${step}\n`);
  }

  /** The checkpoint given on the command line; a run here otherwise starts from scratch. */
  resumeFrom(): ResumePoint | null {
    return this.options.resumeFrom ?? null;
  }

  /** Ends a progress bar drawn in place, so the next line starts clean. */
  finish(): void {
    if (this.barShown && process.stderr.isTTY) process.stderr.write('\n');
    this.barShown = false;
  }

  private write(text: string): void {
    if (this.barShown && process.stderr.isTTY) process.stderr.write('\n');
    this.barShown = false;
    process.stderr.write(text);
  }

  private drawBar(fraction: number, stage: string): void {
    const now = performance.now();
    this.barStarted ??= { at: now, fraction };
    const done = Math.min(1, Math.max(0, fraction));
    const rate = (done - this.barStarted.fraction) / ((now - this.barStarted.at) / 1e3);
    const eta = rate > 0 ? ` ETA ${formatDuration((1 - done) / rate)}` : '';
    const filled = Math.round(done * BAR_WIDTH);
    const metrics = (this.options.progressBar?.metrics ?? [])
      .filter((key) => this.latest[key] !== undefined)
      .map((key) => ` ${key} ${formatValue(this.latest[key]!)}`)
      .join('');
    const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(done * 100).toFixed(1)}% ${stage}${metrics}${eta}`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}\u001b[K`);
      this.barShown = true;
    } else if (now - this.lastPlainBar >= PLAIN_PROGRESS_INTERVAL_MS || done === 1) {
      process.stderr.write(`${line}\n`);
      this.lastPlainBar = now;
    }
  }
}

function formatValue(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(4);
}
