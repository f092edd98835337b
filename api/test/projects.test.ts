import { describe, expect, it } from 'vitest';
import { QUEUE_MUTATION, type TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

describe.each(databaseTargets())('projects on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  it('puts an experiment queued without a project in the default one', async () => {
    const response = await api.gql<{ queueExperiment: { run: { id: string } } }>(QUEUE_MUTATION, {
      input: { kind: 'selftest', config: { size: 8 } },
    });
    expect(response.errors).toBeUndefined();
    const { rows } = await database.sql.query<{ project: string | null }>(
      `SELECT p.name AS project FROM run r JOIN experiment e ON e.id = r.experiment_id
       LEFT JOIN project p ON p.id = e.project_id WHERE r.id = $1`,
      [response.data!.queueExperiment.run.id],
    );
    expect(rows).toEqual([{ project: 'default' }]);
  });

  it('keeps the experiments of a deleted project, ungrouped', async () => {
    const project = await database.db.project.create({ data: { name: 'moe' } });
    const experiment = await database.db.experiment.create({
      data: { name: 'x', kind: 'selftest', config: {}, configHash: 'x', projectId: project.id },
    });
    await database.db.project.delete({ where: { id: project.id } });
    const kept = await database.db.experiment.findUniqueOrThrow({ where: { id: experiment.id } });
    expect(kept.projectId).toBeNull();
  });
});
