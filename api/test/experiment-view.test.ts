import { describe, expect, it } from 'vitest';
import type { TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

const EXPERIMENT = `query($id: ID!) {
  experiment(id: $id) {
    id name kind config tags runCount sweepId
    latestRun { id }
    runs { id experimentId status }
  }
}`;

interface ExperimentResult {
  experiment: {
    id: string;
    name: string;
    kind: string;
    config: Record<string, unknown>;
    runCount: number;
    sweepId: string | null;
    latestRun: { id: string } | null;
    runs: { id: string; experimentId: string; status: string }[];
  } | null;
}

describe.each(databaseTargets())('experiment(id) on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  it('answers one experiment with its runs newest first, and no sweep outside one', async () => {
    const first = await queueSelftest(database.db, { size: 8 });
    await database.db.run.update({ where: { id: first.id }, data: { status: 'FAILED' } });
    // A retry is a second run of the same experiment, queued later.
    const retried = await database.db.run.create({
      data: { experimentId: first.experimentId, queuedAt: new Date(Date.now() + 1000) },
    });
    await queueSelftest(database.db, { size: 16 }); // another experiment: not listed

    const response = await api.gql<ExperimentResult>(EXPERIMENT, { id: first.experimentId });
    expect(response.errors).toBeUndefined();
    const experiment = response.data!.experiment!;
    expect(experiment).toMatchObject({
      id: first.experimentId,
      kind: 'selftest',
      runCount: 2,
      sweepId: null,
      latestRun: { id: retried.id },
    });
    expect(experiment.config).toMatchObject({ size: 8 });
    expect(experiment.runs.map((run) => [run.id, run.status])).toEqual([
      [retried.id, 'QUEUED'],
      [first.id, 'FAILED'],
    ]);
  });

  it("names the sweep of a sweep's point, in the list as well", async () => {
    const response = await api.gql<{ queueSweep: { sweep: { id: string } } }>(
      `mutation { queueSweep(input: {kind: "selftest", parameters: [{path: "size", values: [8, 16]}]}) { sweep { id } } }`,
    );
    const sweepId = response.data!.queueSweep.sweep.id;
    const list = await api.gql<{
      experiments: {
        edges: { node: { id: string; sweepId: string | null; runs: { id: string }[] } }[];
      };
    }>(`{ experiments(first: 2) { edges { node { id sweepId runs { id } } } } }`);
    const nodes = list.data!.experiments.edges.map((edge) => edge.node);
    expect(nodes.map((node) => [node.sweepId, node.runs.length])).toEqual([
      [sweepId, 1],
      [sweepId, 1],
    ]);
    const one = await api.gql<ExperimentResult>(EXPERIMENT, { id: nodes[0]!.id });
    expect(one.data!.experiment!.sweepId).toBe(sweepId);
  });

  it('answers null for an unknown id and refuses what is not a UUID', async () => {
    const unknown = await api.gql<ExperimentResult>(EXPERIMENT, {
      id: '00000000-0000-0000-0000-000000000009',
    });
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data!.experiment).toBeNull();
    const bad = await api.gql<ExperimentResult>(EXPERIMENT, { id: 'nope' });
    expect(bad.errors?.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'id'],
    ]);
  });
});
