import {
  getJob,
  jobCatalogue,
  NoAdapterError,
  type ArtifactReport,
  type BenchmarkReport,
  type DeviceInfo,
  type Reporter,
  type ResumePoint,
} from '@factorlab/gpu';
import { fail } from './fail.ts';
import { readJobConfig, type ConfigSources } from './job-config.ts';
import { EXIT_NO_ADAPTER } from './serve.ts';

/** Prints what a job reports: stages and device on stderr, so stdout stays the result. */
class ConsoleReporter implements Reporter {
  private stage: string | undefined;
  readonly latest: Record<string, number> = {};
  deviceInfo: DeviceInfo | null = null;

  progress(fraction: number, stage?: string): void {
    if (stage && stage !== this.stage) {
      process.stderr.write(`[${Math.round(fraction * 100)}%] ${stage}\n`);
      this.stage = stage;
    }
  }

  metrics(_step: number, values: Record<string, number>): void {
    Object.assign(this.latest, values);
  }

  device(info: DeviceInfo): void {
    this.deviceInfo = info;
    process.stderr.write(`device: ${info.description || info.device} (${info.backend})\n`);
  }

  log(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  shouldStop(): boolean {
    return false;
  }

  benchmark(row: BenchmarkReport): void {
    const speedup = row.denseDecodeTokS
      ? ` (${(row.decodeTokS / row.denseDecodeTokS).toFixed(2)}x dense)`
      : '';
    process.stderr.write(
      `benchmark: batch ${row.batch}, prompt ${row.promptLen}, gen ${row.genLen}: ` +
        `prefill ${row.prefillTokS.toFixed(1)} tok/s, decode ${row.decodeTokS.toFixed(1)} tok/s${speedup}\n`,
    );
  }

  artifact(artifact: ArtifactReport): void {
    const step = artifact.step === undefined ? '' : ` at step ${artifact.step}`;
    process.stderr.write(`artifact: ${artifact.kind.toLowerCase()} ${artifact.path}${step}\n`);
  }

  /** A run here starts from scratch: nothing records checkpoints between invocations. */
  resumeFrom(): ResumePoint | null {
    return null;
  }
}

/** `lab run KIND`: runs a job of the catalogue here, without the API or a database. */
export async function runCommand(
  kind: string,
  options: ConfigSources & { json?: boolean },
): Promise<void> {
  const job = getJob(kind);
  if (!job)
    fail(`unknown job kind "${kind}"; known kinds: ${Object.keys(jobCatalogue).join(', ')}`);
  const parsed = job.schema.safeParse(await readJobConfig(options));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`config.${(issue?.path ?? []).join('.')}: ${issue?.message ?? 'is invalid'}`);
  }
  const reporter = new ConsoleReporter();
  try {
    const result = await job.run(parsed.data, reporter);
    const metrics = { ...reporter.latest, ...result.summary };
    if (options.json) {
      console.log(
        JSON.stringify({ kind, config: parsed.data, device: reporter.deviceInfo, metrics }),
      );
    } else {
      for (const [key, value] of Object.entries(metrics)) console.log(`${key} = ${value}`);
    }
  } catch (error) {
    if (error instanceof NoAdapterError) fail(error.message, EXIT_NO_ADAPTER);
    throw error;
  }
}
