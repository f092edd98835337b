import { expect } from 'vitest';
import type { TestApi } from '../../../test/support/api.ts';
import type { TestDatabase } from '../../../test/support/test-database.ts';

/** Rows of every table a request could write to. */
export async function rowCounts(database: TestDatabase): Promise<Record<string, number>> {
  const { rows } = await database.sql.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM experiment) AS experiments,
            (SELECT count(*)::int FROM run) AS runs,
            (SELECT count(*)::int FROM sweep) AS sweeps,
            (SELECT count(*)::int FROM model) AS models,
            (SELECT count(*)::int FROM dataset) AS datasets,
            (SELECT count(*)::int FROM graphile_worker.jobs) AS jobs`,
  );
  return rows[0]!;
}

/**
 * The API still does its ordinary work: it queues a run, clones it, lists runs, and no prototype
 * was touched on the way.
 */
export async function expectServesNormally(api: TestApi, apiKey?: string): Promise<void> {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(OBJECT_PROTOTYPE_KEYS);
  const queued = await api.gql<{ queueExperiment: { run: { id: string } } }>(
    `mutation { queueExperiment(input: {kind: "selftest", config: {size: 8}}) { run { id } } }`,
    {},
    apiKey,
  );
  expect(queued.errors).toBeUndefined();
  const runId = queued.data!.queueExperiment.run.id;
  const cloned = await api.gql<{ cloneRun: { run: { config: unknown }; userErrors: unknown[] } }>(
    `mutation($id: ID!) { cloneRun(id: $id, configPatch: {size: 16}) {
       run { config } userErrors { code } } }`,
    { id: runId },
    apiKey,
  );
  expect(cloned.errors).toBeUndefined();
  expect(cloned.data!.cloneRun).toMatchObject({ run: { config: { size: 16 } }, userErrors: [] });
  const listed = await api.gql<{ runs: { totalCount: number } }>(
    `{ runs(first: 5) { totalCount edges { node { id status config } } } }`,
    {},
    apiKey,
  );
  expect(listed.errors).toBeUndefined();
  expect(listed.data!.runs.totalCount).toBeGreaterThanOrEqual(2);
}

const OBJECT_PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();
