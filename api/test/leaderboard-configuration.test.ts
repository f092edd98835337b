import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../api/src/db/client.ts';
import { repoRoot } from '../../api/src/config.ts';
import { factorisationOf } from '../../api/src/graphql/leaderboard/factorisation.ts';
import { writeMetricPoints } from '../../api/src/worker/metric-writer.ts';
import { pipelineConfigSchema } from '../../gpu/src/jobs/pipeline-config.ts';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../test/support/test-database.ts';

/** A shipped example, validated as queueing it would store it. */
function storedPipelineConfig(example: string): Record<string, unknown> {
  const text = readFileSync(`${repoRoot}/examples/factorllm/${example}`, 'utf8');
  return pipelineConfigSchema.parse(JSON.parse(text)) as Record<string, unknown>;
}

describe('factorisationOf a stored config', () => {
  it('reads a pipeline: N, k, split, router, gating from factorize, the losses from the loss', () => {
    expect(factorisationOf('pipeline', storedPipelineConfig('demo-n4k1.json'))).toEqual({
      dense: false,
      experts: 4,
      topK: 1,
      split: 'coactivation',
      router: 'linear',
      gating: 'factorllm',
      sharedExpertSize: 0,
      priorApproximation: true,
      distillation: true,
      ffnDistillation: true,
      label: 'N4 k1 coactivation linear factorllm PA KD FFN KD',
    });
  });

  it.each([
    ['ablation/n4k2-no-pa.json', 'N4 k2 sequential linear factorllm no PA KD'],
    ['ablation/n4k2-no-distill.json', 'N4 k2 sequential linear factorllm PA no KD'],
    ['ablation/n4k1-mlp-router.json', 'N4 k1 sequential mlp factorllm PA KD'],
    ['ablation/n4k1-softmax-gating.json', 'N4 k1 sequential linear softmax PA KD'],
    ['ablation/n4k1-coactivation.json', 'N4 k1 coactivation linear factorllm PA KD'],
    ['ablation/n4k1-factorllm.json', 'N4 k1 sequential linear factorllm PA KD'],
    ['ablation/n4k2-factorllm.json', 'N4 k2 coactivation linear factorllm PA KD'],
  ])('tells the ablation %s apart by its one change', (example, label) => {
    expect(factorisationOf('pipeline', storedPipelineConfig(example))?.label).toBe(label);
  });

  it('says dense for pretraining, and nothing for kinds that do not factorise', () => {
    expect(factorisationOf('pretrain', { steps: 10 })).toMatchObject({
      dense: true,
      label: 'dense',
    });
    expect(factorisationOf('selftest', { size: 64 })).toBeNull();
  });

  it('keeps what a fine-tune config says (PA, KD) and leaves N and k unknown', () => {
    const finetune = factorisationOf('finetune', { loss: { pa: 0, distill: 1 } });
    expect(finetune).toMatchObject({ dense: false, experts: null, topK: null });
    expect(finetune?.label).toBe('no PA KD');
    const layered = factorisationOf('finetune', { loss: { pa: 0.05, distill: 1, ffnDistill: 1 } });
    expect(layered).toMatchObject({ ffnDistillation: true, label: 'PA KD FFN KD' });
  });

  it('reads an inference bench from its config, else from the benchmark row it recorded', () => {
    const config = { model: 'models/demo', experts: 4, topK: 2, split: 'kmeans' };
    expect(factorisationOf('inference-bench', config)?.label).toBe('N4 k2 kmeans untrained');
    const stored = { model: '.lab/pipelines/demo-n4k1/finetune/model' };
    expect(factorisationOf('inference-bench', stored)).toBeNull();
    const measured = { experts: 4, topK: 1, split: 'sequential' };
    expect(factorisationOf('inference-bench', stored, measured)?.label).toBe('N4 k1 sequential');
    const dense = { experts: null, topK: null, split: null };
    expect(factorisationOf('inference-bench', stored, dense)?.dense).toBe(true);
  });
});

const LEADERBOARD = `query {
  leaderboard(first: 20, orderBy: { field: RUN_COUNT, direction: DESC }) {
    edges { node {
      configHash runCount
      factorisation {
        dense experts topK split router gating priorApproximation distillation ffnDistillation label
      }
      spread { key count mean min max stdDev }
    } }
  }
}`;

interface Entry {
  configHash: string;
  runCount: number;
  factorisation: Record<string, unknown> | null;
  spread: { key: string; count: number; mean: number; min: number; max: number; stdDev: number }[];
}

/** A run of the configuration `hash` with its summary metrics; several runs may share a hash. */
async function seedRun(
  db: Db,
  seed: { hash: string; kind: string; config: object; status?: 'SUCCEEDED' | 'FAILED' },
  metrics: Record<string, number>,
): Promise<string> {
  const experiment = await db.experiment.create({
    data: {
      name: seed.hash,
      kind: seed.kind,
      config: seed.config,
      configHash: seed.hash,
      runs: { create: { status: seed.status ?? 'SUCCEEDED', finishedAt: new Date() } },
    },
    include: { runs: true },
  });
  const runId = experiment.runs[0]!.id;
  await writeMetricPoints(
    db,
    runId,
    Object.entries(metrics).map(([key, value]) => ({ key, step: 0, value })),
  );
  return runId;
}

const benchmarkRow = (runId: string, speedup: number, efficiency: number) => ({
  runId,
  batch: 1,
  promptLen: 64,
  genLen: 64,
  prefillTokS: 500,
  decodeTokS: 150 * speedup,
  speedup,
  bound: 2,
  efficiency,
});

describe.each(databaseTargets())('leaderboard configurations on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;
  let entries: Entry[];
  const runIds: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
    const db = database.db;
    const k1 = { hash: 'k1', kind: 'pipeline', config: storedPipelineConfig('demo-n4k1.json') };
    // Three succeeded runs of one configuration, and a failed one that must not count.
    const first = await seedRun(db, k1, { retention: 0.92, perplexity: 190, speedup: 9 });
    await seedRun(db, k1, { retention: 0.93, perplexity: 192, speedup: 1.2 });
    await seedRun(db, k1, { retention: 0.94, perplexity: 194, speedup: 1.4 });
    await seedRun(db, { ...k1, status: 'FAILED' }, { retention: 0.1 });
    // The first run's speed comes from its benchmark row (the newest), not its summary's 9.
    for (const [minute, speedup] of [1.1, 1.0, 1.3].entries()) {
      const createdAt = new Date(Date.UTC(2026, 0, 1, 0, minute));
      await db.benchmark.create({ data: { ...benchmarkRow(first, speedup, 0), createdAt } });
    }
    runIds.k1 = first;
    runIds.dense = await seedRun(
      db,
      { hash: 'dense', kind: 'pretrain', config: { steps: 1 } },
      { perplexity: 170 },
    );
    const bench = { hash: 'bench', kind: 'inference-bench', config: { model: 'models/x' } };
    const benchRun = await seedRun(db, bench, {});
    runIds.bench = benchRun;
    await db.benchmark.create({
      data: { ...benchmarkRow(benchRun, 1.5, 0.5), experts: 4, topK: 1, split: 'sequential' },
    });
    await seedRun(db, { hash: 'selftest', kind: 'selftest', config: { size: 8 } }, {});
    const response = await api.gql<{ leaderboard: { edges: { node: Entry }[] } }>(LEADERBOARD);
    expect(response.errors).toBeUndefined();
    entries = response.data!.leaderboard.edges.map((edge) => edge.node);
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  const entry = (hash: string) => entries.find((candidate) => candidate.configHash === hash)!;

  it('gives each entry its factorisation: from the config, a benchmark row, dense, or none', () => {
    expect(entry('k1').factorisation).toEqual({
      dense: false,
      experts: 4,
      topK: 1,
      split: 'coactivation',
      router: 'linear',
      gating: 'factorllm',
      priorApproximation: true,
      distillation: true,
      ffnDistillation: true,
      label: 'N4 k1 coactivation linear factorllm PA KD FFN KD',
    });
    expect(entry('dense').factorisation).toMatchObject({ dense: true, label: 'dense' });
    expect(entry('bench').factorisation).toMatchObject({
      experts: 4,
      topK: 1,
      label: 'N4 k1 sequential',
    });
    expect(entry('selftest').factorisation).toBeNull();
  });

  it('gives the mean and spread over succeeded runs, speeds from the latest benchmark row', () => {
    const k1 = entry('k1');
    expect(k1.runCount).toBe(3);
    const byKey = Object.fromEntries(k1.spread.map((spread) => [spread.key, spread]));
    // Only the benchmarked run has a decode speed, bound and efficiency.
    expect(Object.keys(byKey).sort()).toEqual([
      'bound',
      'decode_tok_s',
      'efficiency',
      'perplexity',
      'retention',
      'speedup',
    ]);
    expect(byKey.bound).toMatchObject({ count: 1, mean: 2, stdDev: 0 });
    expect(byKey.retention).toMatchObject({ count: 3, min: 0.92, max: 0.94 });
    expect(byKey.retention!.mean).toBeCloseTo(0.93, 12);
    expect(byKey.retention!.stdDev).toBeCloseTo(0.01, 12);
    expect(byKey.perplexity).toMatchObject({ count: 3, mean: 192, min: 190, max: 194 });
    expect(byKey.speedup).toMatchObject({ count: 3, min: 1.2, max: 1.4 });
    expect(byKey.speedup!.mean).toBeCloseTo(1.3, 12);
  });

  it('gives no spread to a configuration of one run', () => {
    expect(entry('dense').spread).toEqual([]);
    expect(entry('bench').spread).toEqual([]);
  });

  it('gives each compared run its factorisation, in the order asked for', async () => {
    const response = await api.gql<{
      compare: { runs: { id: string; factorisation: { label: string } | null }[] };
    }>(
      `query($runIds: [ID!]!) { compare(runIds: $runIds) { runs { id factorisation { label } } } }`,
      { runIds: [runIds.bench, runIds.k1, runIds.dense] },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.compare.runs.map((run) => run.factorisation?.label)).toEqual([
      'N4 k1 sequential',
      'N4 k1 coactivation linear factorllm PA KD FFN KD',
      'dense',
    ]);
  });
});
