import path from 'node:path';
import type { ArtifactReport, ResumePoint } from '@factorlab/gpu';
import type { Db } from '../db/client.ts';
import { digestPath } from '../files/file-digest.ts';

const KINDS = new Set(['CHECKPOINT', 'MODEL', 'REPORT', 'OTHER']);

/**
 * Sizes and hashes a file (or folder) a job wrote and records it as an artifact of the run.
 * The path is stored absolute, as this worker's machine names it.
 */
export async function recordArtifact(db: Db, runId: string, report: ArtifactReport): Promise<void> {
  if (!KINDS.has(report.kind)) throw new Error(`artifact: unknown kind "${report.kind}"`);
  if (report.step !== undefined && (!Number.isInteger(report.step) || report.step < 0)) {
    throw new Error(`artifact: step must be a whole number, not ${report.step}`);
  }
  if (report.kind === 'CHECKPOINT' && report.step === undefined) {
    throw new Error(`artifact: a checkpoint needs the step it holds (${report.path})`);
  }
  const file = path.resolve(report.path);
  const digest = await digestPath(file).catch((error: unknown) => {
    throw new Error(`artifact ${file} cannot be read: ${(error as Error).message}`);
  });
  await db.artifact.create({
    data: {
      runId,
      kind: report.kind,
      path: file,
      bytes: BigInt(digest.bytes),
      sha256: digest.sha256,
      step: report.step ?? null,
    },
  });
}

/** The run's latest checkpoint, from any earlier attempt: where a resumed run picks up. */
export async function latestCheckpoint(db: Db, runId: string): Promise<ResumePoint | null> {
  const row = await db.artifact.findFirst({
    where: { runId, kind: 'CHECKPOINT', step: { not: null } },
    orderBy: [{ step: 'desc' }, { createdAt: 'desc' }],
    select: { path: true, step: true },
  });
  return row && row.step !== null ? { path: row.path, step: row.step } : null;
}
