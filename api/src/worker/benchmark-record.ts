import { decodeSpeedup, efficiency, type BenchmarkReport, type DeviceInfo } from '@factorlab/gpu';
import type { Db } from '../db/client.ts';
import type { Prisma } from '../db/generated/client.ts';

function positiveInteger(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new Error(`benchmark row: ${name} must be a positive integer, not ${value}`);
  }
}

function positiveNumber(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new Error(`benchmark row: ${name} must be a positive number, not ${value}`);
  }
}

/**
 * The row a job's benchmark report becomes, speedup and efficiency derived as the engine defines
 * them (decodeSpeedup, efficiency). Throws on a malformed report: a job's bug, which fails its run
 * rather than storing nonsense.
 */
export function benchmarkData(
  report: BenchmarkReport,
  device: DeviceInfo | null,
): Omit<Prisma.BenchmarkUncheckedCreateInput, 'runId'> {
  for (const name of ['batch', 'promptLen', 'genLen', 'experts', 'topK'] as const) {
    positiveInteger(report[name], name);
  }
  for (const name of ['prefillTokS', 'decodeTokS', 'denseDecodeTokS', 'bound'] as const) {
    positiveNumber(report[name], name);
  }
  positiveNumber(report.decodeLatencyMs?.p50, 'decodeLatencyMs.p50');
  positiveNumber(report.decodeLatencyMs?.p95, 'decodeLatencyMs.p95');
  const speedup = report.denseDecodeTokS
    ? decodeSpeedup(report.decodeTokS, report.denseDecodeTokS)
    : null;
  const realised =
    speedup !== null && report.bound !== undefined ? efficiency(speedup, report.bound) : null;
  const deviceInfo = report.device ?? device;
  return {
    experts: report.experts ?? null,
    topK: report.topK ?? null,
    split: report.split ?? null,
    dtype: report.dtype ?? null,
    batch: report.batch,
    promptLen: report.promptLen,
    genLen: report.genLen,
    prefillTokS: report.prefillTokS,
    decodeTokS: report.decodeTokS,
    denseDecodeTokS: report.denseDecodeTokS ?? null,
    decodeP50Ms: report.decodeLatencyMs?.p50 ?? null,
    decodeP95Ms: report.decodeLatencyMs?.p95 ?? null,
    speedup,
    bound: report.bound ?? null,
    efficiency: realised,
    ...(deviceInfo ? { device: { ...deviceInfo } } : {}),
  };
}

/** Records a benchmark row of a run, linked to the registered model at its path if there is one. */
export async function recordBenchmark(
  db: Db,
  runId: string,
  report: BenchmarkReport,
  device: DeviceInfo | null,
): Promise<void> {
  const data = benchmarkData(report, device);
  const model = report.modelPath
    ? await db.registeredModel.findFirst({
        where: { path: report.modelPath },
        orderBy: { createdAt: 'desc' },
        select: { id: true },
      })
    : null;
  await db.benchmark.create({ data: { ...data, runId, modelId: model?.id ?? null } });
}
