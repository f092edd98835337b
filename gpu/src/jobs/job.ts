import type { z } from 'zod';
import type { DeviceInfo } from '../runtime/device-info.ts';

/** One measured inference configuration, as a job reports it. */
export interface BenchmarkReport {
  /** The checkpoint folder measured; the row links to the registered model with this path. */
  modelPath?: string;
  experts?: number;
  topK?: number;
  /** How dense layers were split into experts, e.g. `contiguous` or `clustered`. */
  split?: string;
  dtype?: string;
  batch: number;
  promptLen: number;
  genLen: number;
  prefillTokS: number;
  decodeTokS: number;
  /** The dense model's decode tokens/s under the same settings; speedup is relative to it. */
  denseDecodeTokS?: number;
  decodeLatencyMs?: { p50: number; p95: number };
  /** The largest speedup the configuration allows; efficiency is measured against it. */
  bound?: number;
  /** Defaults to the adapter the job reported through `device`. */
  device?: DeviceInfo;
}

export type ArtifactKind = 'CHECKPOINT' | 'MODEL' | 'REPORT' | 'OTHER';

/** A file a job wrote and wants kept; it must be complete when reported. */
export interface ArtifactReport {
  kind: ArtifactKind;
  path: string;
  /** For a checkpoint: the last step whose effects it holds. */
  step?: number;
}

/** Where a resumed run picks up: its latest checkpoint. */
export interface ResumePoint {
  path: string;
  step: number;
}

/**
 * The channel through which a running job talks to whoever runs it: the worker (which writes to
 * Postgres) or the CLI (which prints). Calls are cheap and synchronous; the runner batches writes.
 */
export interface Reporter {
  /** Fraction done in [0, 1], with an optional note of the current stage. */
  progress(fraction: number, stage?: string): void;
  /** Metric values at one step. Re-reporting the same (key, step) overwrites, never duplicates. */
  metrics(step: number, values: Record<string, number>): void;
  /** The adapter the job computes on. */
  device(info: DeviceInfo): void;
  log(message: string): void;
  /** True once the run was cancelled: the job should return at its next safe point. */
  shouldStop(): boolean;
  /** A benchmark row: throughput and latency of one inference configuration. */
  benchmark(row: BenchmarkReport): void;
  /** A file the job wrote: the runner sizes, hashes and records it. */
  artifact(artifact: ArtifactReport): void;
  /**
   * The checkpoint to resume from when this run was started before and reported a CHECKPOINT
   * artifact with a step, else null. A job that resumes continues after `step`; the runner has
   * discarded metric points past it.
   */
  resumeFrom(): ResumePoint | null;
}

/** A job of the catalogue: the CLI and the worker both call `run` with a config `schema` accepted. */
export interface JobDefinition<Schema extends z.ZodType = z.ZodType> {
  kind: string;
  description: string;
  schema: Schema;
  run(config: z.output<Schema>, reporter: Reporter): Promise<JobResult>;
}

/** The summary a job returns; its metrics are also recorded as the final step's values. */
export interface JobResult {
  summary: Record<string, number>;
}
