import type { Db } from '../../db/client.ts';
import type { Artifact } from './artifact.type.ts';

/** Every artifact of each run, oldest first, for many runs in one query. */
export async function artifactsByRun(db: Db, runIds: readonly string[]): Promise<Artifact[][]> {
  const rows = await db.artifact.findMany({
    where: { runId: { in: [...runIds] } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  const byRun = new Map<string, Artifact[]>(runIds.map((id) => [id, []]));
  for (const row of rows) byRun.get(row.runId)?.push({ ...row, bytes: Number(row.bytes) });
  return runIds.map((id) => byRun.get(id) ?? []);
}
