import { describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/src/auth/api-keys.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { useApiOnFreshDatabase } from '../../test/support/api-fixture.ts';
import { queueSelftest } from '../../test/support/runs.ts';
import { subscribe, wsClient } from '../../test/support/subscriptions.ts';
import { databaseTargets, type TestDatabase } from '../../test/support/test-database.ts';

const RUN_UPDATED = `subscription($id: ID!) { runUpdated(id: $id) { id status progress } }`;
const METRICS_APPENDED = `subscription($runId: ID!, $afterStep: Int) {
  metricsAppended(runId: $runId, afterStep: $afterStep) { runId lastStep points { key step value } }
}`;

const RUNS_CHANGED = `subscription { runsChanged { run { id status } } }`;

interface RunEvent {
  id: string;
  status: string;
  progress: number;
}
interface MetricBatch {
  lastStep: number;
  points: { key: string; step: number; value: number }[];
}

const SUBSCRIBERS = 100;
const UPDATES = 10;

describe.each(databaseTargets())('subscriptions on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  useApiOnFreshDatabase(target, (fresh) => ({ database, api } = fresh));

  it(`delivers every update of a run to ${SUBSCRIBERS} concurrent subscribers`, async () => {
    const run = await queueSelftest(database.db, { size: 8 });
    const clients = Array.from({ length: SUBSCRIBERS }, () => wsClient(api.url));
    try {
      const subscriptions = clients.map((client) =>
        subscribe<RunEvent>(client, RUN_UPDATED, { id: run.id }, 'runUpdated'),
      );
      await Promise.all(subscriptions.map((s) => s.until((events) => events.length >= 1)));
      for (let i = 1; i <= UPDATES; i++) {
        // Another process (a worker) makes the change; Postgres NOTIFY carries it to the API.
        await database.sql.query('UPDATE run SET progress = $2 WHERE id = $1', [
          run.id,
          i / UPDATES,
        ]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await database.sql.query(`UPDATE run SET status = 'CANCELLED' WHERE id = $1`, [run.id]);
      const received = await Promise.all(
        subscriptions.map((s) => s.until((events) => events.length >= UPDATES + 2)),
      );
      for (const events of received) {
        expect(events).toHaveLength(UPDATES + 2);
        expect(events[0]).toMatchObject({ id: run.id, status: 'QUEUED', progress: 0 });
        expect(events.at(-1)).toMatchObject({ status: 'CANCELLED', progress: 1 });
        const progress = events.map((e) => e.progress);
        expect(progress).toEqual([...progress].sort((a, b) => a - b));
      }
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
    }
  }, 60_000);

  it('streams stored and new metric points, resumable after a step', async () => {
    const run = await queueSelftest(database.db, { size: 9 });
    const points = (from: number, to: number, key = 'loss') =>
      Array.from({ length: to - from }, (_, i) => ({ key, step: from + i, value: from + i }));
    await writeMetricPoints(database.db, run.id, points(0, 100));

    const client = wsClient(api.url);
    try {
      const fromStart = subscribe<MetricBatch>(
        client,
        METRICS_APPENDED,
        { runId: run.id },
        'metricsAppended',
      );
      const resumed = subscribe<MetricBatch>(
        client,
        METRICS_APPENDED,
        { runId: run.id, afterStep: 49 },
        'metricsAppended',
      );
      const count = (batches: MetricBatch[]) => batches.reduce((n, b) => n + b.points.length, 0);
      await fromStart.until((b) => count(b) === 100);
      await resumed.until((b) => count(b) === 50);

      await writeMetricPoints(database.db, run.id, points(100, 150));
      // A second key at the step already seen must still arrive.
      await writeMetricPoints(database.db, run.id, [{ key: 'accuracy', step: 149, value: 0.5 }]);
      const all = await fromStart.until((b) => count(b) === 151);
      const tail = await resumed.until((b) => count(b) === 101);

      const steps = all.flatMap((b) => b.points.map((p) => `${p.key}@${p.step}`));
      expect(new Set(steps).size).toBe(151);
      expect(tail.flatMap((b) => b.points).every((p) => p.step > 49)).toBe(true);
      expect(all.at(-1)!.lastStep).toBe(149);
    } finally {
      await client.dispose();
    }
  });

  it('announces every run queued or changed to a runs list, with nothing for runs as they were', async () => {
    const before = await queueSelftest(database.db, { size: 11 });
    const client = wsClient(api.url);
    type Change = { run: { id: string; status: string } | null };
    const seen = (events: Change[]) =>
      events.map((event) => `${event.run?.id}:${event.run?.status}`);
    try {
      // The API passes on changes in the order they were committed: once another subscriber has
      // seen a run queued after `before`, the API is done with `before`'s own notice, which a busy
      // machine can otherwise deliver after the subscription below has started.
      const probe = subscribe<Change>(client, RUNS_CHANGED, {}, 'runsChanged');
      // The probe may start after a marker's notice went by: queue markers until one arrives.
      for (let marker = 0; ; marker++) {
        const { id } = await queueSelftest(database.db, { size: 16 + marker });
        const arrived = await probe
          .until((events) => seen(events).includes(`${id}:QUEUED`), 1_000)
          .then(
            () => true,
            () => false,
          );
        if (arrived) break;
        if (marker === 19) throw new Error('the probe saw none of 20 runs queued');
      }
      const list = subscribe<Change>(client, RUNS_CHANGED, {}, 'runsChanged');
      // Once subscribed, a change of the older run arrives; nothing came for it before.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(list.events).toEqual([]);
      const queued = await queueSelftest(database.db, { size: 12 });
      await database.sql.query(`UPDATE run SET status = 'CANCELLED' WHERE id = $1`, [before.id]);
      const events = await list.until((e) => seen(e).includes(`${before.id}:CANCELLED`));
      expect(seen(events)).toContain(`${queued.id}:QUEUED`);
    } finally {
      await client.dispose();
    }
  });

  it('keeps a runs list to the runs or the sweep it names, metric points counting with metrics', async () => {
    const sweep = await database.db.sweep.create({
      data: { name: 'followed', kind: 'selftest', strategy: 'GRID', spec: {} },
    });
    const [inSweep, compared, other] = [
      await queueSelftest(database.db, { size: 13 }),
      await queueSelftest(database.db, { size: 14 }),
      await queueSelftest(database.db, { size: 15 }),
    ];
    await database.db.experiment.update({
      where: { id: inSweep.experimentId },
      data: { sweepId: sweep.id },
    });
    const client = wsClient(api.url);
    type Change = { run: { id: string; status: string } | null };
    try {
      const byIds = subscribe<Change>(
        client,
        `subscription($ids: [ID!]) { runsChanged(ids: $ids, metrics: true) { run { id status } } }`,
        { ids: [compared.id] },
        'runsChanged',
      );
      const bySweep = subscribe<Change>(
        client,
        `subscription($sweepId: ID) { runsChanged(sweepId: $sweepId, metrics: true) { run { id } } }`,
        { sweepId: sweep.id },
        'runsChanged',
      );
      const withoutMetrics = subscribe<Change>(
        client,
        `subscription($ids: [ID!]) { runsChanged(ids: $ids) { run { id } } }`,
        { ids: [compared.id] },
        'runsChanged',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const run of [other, inSweep, compared]) {
        await writeMetricPoints(database.db, run.id, [{ key: 'loss', step: 0, value: 1 }]);
      }
      await database.sql.query(`UPDATE run SET status = 'CANCELLED' WHERE id = ANY($1)`, [
        [other.id, inSweep.id, compared.id],
      ]);
      const ids = (events: Change[]) => events.map((event) => event.run?.id);
      // A metric batch, then the cancellation; nothing of the other runs.
      expect(ids(await byIds.until((events) => events.length >= 2))).toEqual([
        compared.id,
        compared.id,
      ]);
      expect(byIds.events[1]!.run!.status).toBe('CANCELLED');
      expect(ids(await bySweep.until((events) => events.length >= 2))).toEqual([
        inSweep.id,
        inSweep.id,
      ]);
      // Without metrics, only the cancellation.
      expect(ids(await withoutMetrics.until((events) => events.length >= 1))).toEqual([
        compared.id,
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect([byIds.events.length, bySweep.events.length, withoutMetrics.events.length]).toEqual([
        2, 2, 1,
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('announces every worker change: heartbeats, runs taken and finished, stops, and stale by time', async () => {
    const leaseMs = 4000;
    const previousLease = process.env.FACTORLAB_WORKER_LEASE_MS;
    process.env.FACTORLAB_WORKER_LEASE_MS = String(leaseMs);
    const before = await database.db.worker.create({
      data: { host: 'before', pid: 1, lastSeenAt: new Date(Date.now() - 600_000) },
    });
    // Its announcement is dispatched before the subscription starts.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const client = wsClient(api.url);
    type Change = {
      worker: { id: string; state: string; currentRunId: string | null; runCount: number } | null;
    };
    try {
      const workers = subscribe<Change>(
        client,
        `subscription { workersChanged { worker { id state currentRunId runCount } } }`,
        {},
        'workersChanged',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Nothing for the workers as they are; a new one, then its run, as it is after each change.
      expect(workers.events).toEqual([]);
      const of = (events: Change[], id: string) =>
        events.filter((event) => event.worker?.id === id).map((event) => event.worker!);
      const worker = await database.db.worker.create({ data: { host: 'gpu-box', pid: 2 } });
      const run = await queueSelftest(database.db, { size: 16 });
      await database.sql.query(`UPDATE run SET status = 'RUNNING', worker_id = $2 WHERE id = $1`, [
        run.id,
        worker.id,
      ]);
      // Each event is the worker as read after its change: waited for, so none is skipped over.
      await workers.until((events) => of(events, worker.id).some((one) => one.currentRunId));
      await database.sql.query(`UPDATE run SET status = 'SUCCEEDED' WHERE id = $1`, [run.id]);
      await database.sql.query(`UPDATE worker SET stopped_at = now() WHERE id = $1`, [before.id]);
      await workers.until((events) => of(events, before.id).length >= 1);
      const held = of(workers.events, worker.id).map((one) => one.currentRunId);
      expect(of(workers.events, worker.id)[0]).toEqual({
        id: worker.id,
        state: 'ONLINE',
        currentRunId: null,
        runCount: 0,
      });
      expect(held.slice(held.indexOf(run.id))).toEqual([run.id, null]);
      expect(of(workers.events, worker.id).at(-1)).toMatchObject({ state: 'ONLINE', runCount: 1 });
      expect(of(workers.events, before.id)).toEqual([
        expect.objectContaining({ state: 'STOPPED' }),
      ]);

      // Silent past two of its four heartbeats a lease, then past the lease: no row changes.
      const silent = await workers.until(
        (events) => of(events, worker.id).some((one) => one.state === 'DEAD'),
        leaseMs * 3,
      );
      const states = of(silent, worker.id).map((one) => one.state);
      expect(states.slice(states.indexOf('STALE'))).toEqual(['STALE', 'DEAD']);
    } finally {
      if (previousLease === undefined) delete process.env.FACTORLAB_WORKER_LEASE_MS;
      else process.env.FACTORLAB_WORKER_LEASE_MS = previousLease;
      await client.dispose();
    }
  });

  it('refuses subscriptions without a key when the API has auth on', async () => {
    const securedApi = await startTestApi(database, 'on');
    const run = await queueSelftest(database.db, { size: 10 });
    const viewerKey = (await createApiKey(database.db, { name: 'v', role: 'VIEWER' })).token;
    const anonymous = wsClient(securedApi.url);
    const viewer = wsClient(securedApi.url, viewerKey);
    try {
      const refused = subscribe<RunEvent>(anonymous, RUN_UPDATED, { id: run.id }, 'runUpdated');
      await expect(refused.until((e) => e.length > 0, 5000)).rejects.toThrow(/UNAUTHENTICATED/);
      const refusedList = subscribe(anonymous, RUNS_CHANGED, {}, 'runsChanged');
      await expect(refusedList.until((e) => e.length > 0, 5000)).rejects.toThrow(/UNAUTHENTICATED/);
      const allowed = subscribe<RunEvent>(viewer, RUN_UPDATED, { id: run.id }, 'runUpdated');
      await allowed.until((e) => e.length > 0);
    } finally {
      await anonymous.dispose();
      await viewer.dispose();
      await securedApi.stop();
    }
  });
});
