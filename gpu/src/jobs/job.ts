import type { z } from 'zod';

/** What the engine knows about the adapter a job ran on; recorded with every run. */
export interface DeviceInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  backend: string;
  /** True for CPU implementations of the API (lavapipe, SwiftShader). */
  isCpu: boolean;
  features: string[];
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
