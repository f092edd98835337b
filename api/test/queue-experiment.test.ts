import { describe, expect, it } from 'vitest';
import { QUEUE_MUTATION, type TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

interface QueuedRun {
  id: string;
  status: string;
  kind: string;
  name: string;
  priority: number;
  tags: string[];
  config: Record<string, unknown>;
}

async function countRows(sql: TestDatabase['sql']): Promise<Record<string, number>> {
  const { rows } = await sql.query<{ experiments: number; runs: number; jobs: number }>(`
    SELECT (SELECT count(*)::int FROM experiment) AS experiments,
           (SELECT count(*)::int FROM run) AS runs,
           (SELECT count(*)::int FROM graphile_worker.jobs) AS jobs`);
  return rows[0] ?? {};
}

describe.each(databaseTargets())('queueExperiment on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  it('writes the experiment, a QUEUED run and its queue job together', async () => {
    const before = await countRows(database.sql);
    const response = await api.gql<{ queueExperiment: { run: QueuedRun } }>(QUEUE_MUTATION, {
      input: { kind: 'selftest', config: { size: 33 }, priority: 5, tags: ['smoke', 'smoke'] },
    });
    expect(response.errors).toBeUndefined();
    const run = response.data!.queueExperiment.run;
    expect(run).toMatchObject({
      status: 'QUEUED',
      kind: 'selftest',
      name: 'selftest',
      priority: 5,
    });
    expect(run.tags).toEqual(['smoke']);
    // The stored config is the resolved one: defaults filled in.
    expect(run.config).toMatchObject({ size: 33, repeats: expect.any(Number) });

    const after = await countRows(database.sql);
    expect(after).toEqual({
      experiments: before.experiments! + 1,
      runs: before.runs! + 1,
      jobs: before.jobs! + 1,
    });
    const { rows } = await database.sql.query(
      `SELECT t.identifier AS task, j.payload, j.priority
       FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE j.key = $1`,
      [run.id],
    );
    expect(rows).toEqual([{ task: 'execute-run', payload: { runId: run.id }, priority: -5 }]);
  });

  const invalidInputs: { case: string; input: Record<string, unknown>; field: string }[] = [
    { case: 'an unknown kind', input: { kind: 'nope' }, field: 'kind' },
    { case: 'size 0', input: { kind: 'selftest', config: { size: 0 } }, field: 'config.size' },
    {
      case: 'size of the wrong type',
      input: { kind: 'selftest', config: { size: 'big' } },
      field: 'config.size',
    },
    {
      case: 'a fractional size',
      input: { kind: 'selftest', config: { size: 2.5 } },
      field: 'config.size',
    },
    {
      case: 'size beyond the limit',
      input: { kind: 'selftest', config: { size: 100_000 } },
      field: 'config.size',
    },
    {
      case: 'an unknown config key',
      input: { kind: 'selftest', config: { sise: 4 } },
      field: 'config',
    },
    {
      case: 'a config that is not an object',
      input: { kind: 'selftest', config: 7 },
      field: 'config',
    },
    {
      case: 'priority out of range',
      input: { kind: 'selftest', priority: 1000 },
      field: 'priority',
    },
    { case: 'an empty tag', input: { kind: 'selftest', tags: ['ok', ' '] }, field: 'tags.1' },
    { case: 'a huge name', input: { kind: 'selftest', name: 'x'.repeat(500) }, field: 'name' },
  ];

  it.each(invalidInputs)(
    'refuses $case with BAD_USER_INPUT naming $field, writing nothing',
    async ({ input, field }) => {
      const before = await countRows(database.sql);
      const response = await api.gql(QUEUE_MUTATION, { input });
      expect(response.data).toBeNull();
      expect(response.errors).toHaveLength(1);
      const error = response.errors![0]!;
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error.extensions?.field).toBe(field);
      expect(error.message).toContain(field);
      expect(await countRows(database.sql)).toEqual(before);
    },
  );

  it('refuses a request missing the kind with BAD_USER_INPUT', async () => {
    const before = await countRows(database.sql);
    const response = await api.gql(QUEUE_MUTATION, { input: { config: {} } });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.message).toContain('kind');
    expect(await countRows(database.sql)).toEqual(before);
  });
});
