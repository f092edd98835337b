import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { DeviceInfo, JobDefinition } from '@factorlab/gpu';

/** A job for tests of the worker's Reporter: reports a device, a benchmark row and a file. */
export const REPORTING_JOB = 'reporting';

export const REPORTED_DEVICE: DeviceInfo = {
  vendor: 'test',
  architecture: 'none',
  device: 'reporting-job',
  description: 'the reporting test job',
  backend: 'none',
  isCpu: true,
  features: [],
};

const schema = z.strictObject({
  /** The file the job writes and reports as a REPORT artifact. */
  reportPath: z.string(),
  /** Reported without writing it first, when true: the worker cannot hash it. */
  skipWrite: z.boolean().default(false),
  modelPath: z.string().optional(),
});

export const reportingJob: JobDefinition<typeof schema> = {
  kind: REPORTING_JOB,
  description: 'Reports a device, a benchmark row and a report file (tests only).',
  schema,
  async run({ reportPath, skipWrite, modelPath }, reporter) {
    reporter.device(REPORTED_DEVICE);
    if (!skipWrite) await writeFile(reportPath, 'decode 24 tok/s\n');
    reporter.benchmark({
      ...(modelPath ? { modelPath } : {}),
      experts: 8,
      topK: 2,
      batch: 1,
      promptLen: 128,
      genLen: 64,
      prefillTokS: 500,
      decodeTokS: 24,
      denseDecodeTokS: 16,
      decodeLatencyMs: { p50: 41, p95: 45 },
      bound: 3,
    });
    reporter.artifact({ kind: 'REPORT', path: reportPath });
    return { summary: { decode_tok_s: 24 } };
  },
};
