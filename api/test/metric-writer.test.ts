import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

describe.each(databaseTargets())('metric point writes on the $name PostgreSQL', (target) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(target);
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function points(runId: string) {
    const { rows } = await database.sql.query<{ key: string; step: number; value: number }>(
      'SELECT key, step, value FROM metric_point WHERE run_id = $1 ORDER BY key, step',
      [runId],
    );
    return rows;
  }

  it('overwrites a replayed (key, step) and keeps the summary right', async () => {
    const { id } = await queueSelftest(database.db, { size: 8 });
    await writeMetricPoints(database.sql, id, [
      { key: 'loss', step: 0, value: 4 },
      { key: 'loss', step: 1, value: 3 },
      { key: 'loss', step: 1, value: 2.5 },
    ]);
    await writeMetricPoints(database.sql, id, [
      { key: 'loss', step: 1, value: 2 },
      { key: 'loss', step: 2, value: 5 },
    ]);
    expect(await points(id)).toEqual([
      { key: 'loss', step: 0, value: 4 },
      { key: 'loss', step: 1, value: 2 },
      { key: 'loss', step: 2, value: 5 },
    ]);
    const summary = await database.db.runMetricSummary.findUniqueOrThrow({
      where: { runId_key: { runId: id, key: 'loss' } },
    });
    expect(summary).toMatchObject({ lastStep: 2, lastValue: 5, minValue: 2, maxValue: 5 });
  });

  it('writes nothing for a run that does not exist', async () => {
    const missing = randomUUID();
    await writeMetricPoints(database.sql, missing, [{ key: 'loss', step: 0, value: 1 }]);
    expect(await points(missing)).toEqual([]);
    expect(await database.db.runMetricSummary.count({ where: { runId: missing } })).toBe(0);
  });

  it("deletes a run's points with the run, also when its experiment is deleted", async () => {
    const kept = await queueSelftest(database.db, { size: 8 });
    const deleted = await queueSelftest(database.db, { size: 8 });
    const viaExperiment = await queueSelftest(database.db, { size: 8 });
    for (const run of [kept, deleted, viaExperiment]) {
      await writeMetricPoints(database.sql, run.id, [{ key: 'x', step: 0, value: 1 }]);
    }
    await database.db.run.delete({ where: { id: deleted.id } });
    await database.db.experiment.delete({ where: { id: viaExperiment.experimentId } });
    expect(await points(deleted.id)).toEqual([]);
    expect(await points(viaExperiment.id)).toEqual([]);
    expect(await points(kept.id)).toEqual([{ key: 'x', step: 0, value: 1 }]);
  });

  it('makes a delete of the run wait for a batch being written, then removes the batch', async () => {
    const run = await queueSelftest(database.db, { size: 8 });
    const writer = await database.sql.connect();
    try {
      await writer.query('BEGIN');
      await writeMetricPoints(writer, run.id, [{ key: 'x', step: 0, value: 1 }]);
      let deletedAt = 0;
      const deleting = database.db.run
        .delete({ where: { id: run.id } })
        .then(() => (deletedAt = performance.now()));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(deletedAt).toBe(0);
      const committedAt = performance.now();
      await writer.query('COMMIT');
      await deleting;
      expect(deletedAt).toBeGreaterThan(committedAt);
    } finally {
      writer.release();
    }
    expect(await points(run.id)).toEqual([]);
  });
});
