import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobCatalogue } from '@factorlab/gpu';
import { startTestApi, type TestApi } from '../../../test/support/api.ts';
import {
  createTestDatabase,
  databaseTargets,
  type TestDatabase,
} from '../../../test/support/test-database.ts';
import { expectServesNormally, rowCounts } from './guard.ts';
import { runOverWebSocket, wsClientFrom } from './websocket.ts';

const QUEUE = `mutation($input: QueueExperimentInput!) { queueExperiment(input: $input) { run { id } } }`;

interface InvalidConfig {
  kind: string;
  config: unknown;
  /** The field the refusal names in `extensions.field`. */
  field: string;
}

const MODEL = '/models/bench';

/** Configs each job's schema refuses, with the field named; every kind of the catalogue has some. */
const INVALID: InvalidConfig[] = [
  { kind: 'selftest', config: { size: 0 }, field: 'config.size' },
  { kind: 'selftest', config: { size: 2049 }, field: 'config.size' },
  { kind: 'selftest', config: { size: -1 }, field: 'config.size' },
  { kind: 'selftest', config: { size: 1.5 }, field: 'config.size' },
  { kind: 'selftest', config: { size: '256' }, field: 'config.size' },
  { kind: 'selftest', config: { size: true }, field: 'config.size' },
  { kind: 'selftest', config: { size: null }, field: 'config.size' },
  { kind: 'selftest', config: { size: [256] }, field: 'config.size' },
  { kind: 'selftest', config: { size: { value: 256 } }, field: 'config.size' },
  { kind: 'selftest', config: { repeats: 0 }, field: 'config.repeats' },
  { kind: 'selftest', config: { repeats: 101 }, field: 'config.repeats' },
  { kind: 'selftest', config: { seed: 1.5 }, field: 'config.seed' },
  { kind: 'selftest', config: { seed: 'one' }, field: 'config.seed' },
  { kind: 'selftest', config: { seed: 2 ** 60 }, field: 'config.seed' },
  { kind: 'selftest', config: { sizes: 256 }, field: 'config' },
  { kind: 'selftest', config: 256, field: 'config' },
  { kind: 'selftest', config: [256], field: 'config' },
  { kind: 'selftest', config: 'size=256', field: 'config' },
  { kind: 'inference-bench', config: {}, field: 'config.model' },
  { kind: 'inference-bench', config: { model: '' }, field: 'config.model' },
  { kind: 'inference-bench', config: { model: 5 }, field: 'config.model' },
  { kind: 'inference-bench', config: { model: MODEL, experts: 4 }, field: 'config.topK' },
  { kind: 'inference-bench', config: { model: MODEL, topK: 1 }, field: 'config.experts' },
  { kind: 'inference-bench', config: { model: MODEL, experts: 2, topK: 3 }, field: 'config.topK' },
  {
    kind: 'inference-bench',
    config: { model: MODEL, experts: 0, topK: 1 },
    field: 'config.experts',
  },
  {
    kind: 'inference-bench',
    config: { model: MODEL, experts: 33, topK: 1 },
    field: 'config.experts',
  },
  {
    kind: 'inference-bench',
    config: { model: MODEL, experts: 2.5, topK: 1 },
    field: 'config.experts',
  },
  { kind: 'inference-bench', config: { model: MODEL, experts: 4, topK: 0 }, field: 'config.topK' },
  { kind: 'inference-bench', config: { model: MODEL, split: 'zigzag' }, field: 'config.split' },
  { kind: 'inference-bench', config: { model: MODEL, promptLen: 0 }, field: 'config.promptLen' },
  { kind: 'inference-bench', config: { model: MODEL, promptLen: 4097 }, field: 'config.promptLen' },
  { kind: 'inference-bench', config: { model: MODEL, genLen: 1 }, field: 'config.genLen' },
  { kind: 'inference-bench', config: { model: MODEL, batch: 65 }, field: 'config.batch' },
  { kind: 'inference-bench', config: { model: MODEL, repeats: 21 }, field: 'config.repeats' },
  { kind: 'inference-bench', config: { model: MODEL, weights: 'f8' }, field: 'config.weights' },
  { kind: 'inference-bench', config: { model: MODEL, seed: 'one' }, field: 'config.seed' },
  { kind: 'inference-bench', config: { model: MODEL, layers: 2 }, field: 'config' },
  { kind: 'inference-bench', config: [MODEL], field: 'config' },
];

/** A pretrain config the schema accepts, to break one field at a time. */
const PRETRAIN = {
  output: '/models/pretrain-run',
  model: { hiddenSize: 16, intermediateSize: 32, layers: 1, heads: 2 },
  training: { steps: 10, batchSize: 2, sequenceLength: 16, learningRate: 0.001 },
};
const pretrain = (change: (config: typeof PRETRAIN) => unknown): unknown =>
  change(structuredClone(PRETRAIN));

INVALID.push(
  { kind: 'pretrain', config: {}, field: 'config.output' },
  { kind: 'pretrain', config: pretrain((c) => ({ ...c, output: '' })), field: 'config.output' },
  { kind: 'pretrain', config: pretrain(({ model: _, ...c }) => c), field: 'config.model' },
  {
    kind: 'pretrain',
    config: pretrain((c) => ({ ...c, model: { ...c.model, hiddenSize: 0 } })),
    field: 'config.model.hiddenSize',
  },
  {
    kind: 'pretrain',
    config: pretrain((c) => ({ ...c, model: { ...c.model, hiddenSize: 18, heads: 4 } })),
    field: 'config.model.hiddenSize',
  },
  {
    kind: 'pretrain',
    config: pretrain((c) => ({ ...c, model: { ...c.model, activation: 'gelu' } })),
    field: 'config.model',
  },
  {
    kind: 'pretrain',
    config: pretrain((c) => ({ ...c, training: { ...c.training, learningRate: 2 } })),
    field: 'config.training.learningRate',
  },
  {
    kind: 'pretrain',
    config: pretrain((c) => ({ ...c, training: { ...c.training, betas: [0.9, 1] } })),
    field: 'config.training.betas.1',
  },
  {
    kind: 'pretrain',
    config: pretrain((c) => ({ ...c, training: { ...c.training, warmupSteps: 11 } })),
    field: 'config.training.warmupSteps',
  },
  {
    kind: 'pretrain',
    config: pretrain((c) => ({ ...c, training: { ...c.training, sequenceLength: 1024 } })),
    field: 'config.training.sequenceLength',
  },
  { kind: 'pretrain', config: pretrain((c) => ({ ...c, seed: -1 })), field: 'config.seed' },
  {
    kind: 'pretrain',
    config: pretrain((c) => ({ ...c, data: { corpus: 'wikipedia' } })),
    field: 'config.data.corpus',
  },
);

/** Valid configs of the FactorLLM jobs, to break one field at a time. */
const STAGES = {
  router: { steps: 10, learningRate: 0.01 },
  joint: { steps: 10, learningRate: 0.001 },
};
const FINETUNE = {
  teacher: MODEL,
  student: '/models/student',
  output: '/models/ft',
  stages: STAGES,
};
const PIPELINE = {
  model: MODEL,
  output: '/models/pipeline-{hash}',
  factorize: { experts: 4, topK: 1 },
  finetune: { stages: STAGES },
};

INVALID.push(
  { kind: 'factorize', config: { model: MODEL, output: '/models/moe' }, field: 'config.experts' },
  {
    kind: 'factorize',
    config: { model: MODEL, output: '/models/moe', experts: 2, topK: 3 },
    field: 'config.topK',
  },
  {
    kind: 'factorize',
    config: { model: MODEL, output: '/models/moe', experts: 4, topK: 1, split: 'zigzag' },
    field: 'config.split',
  },
  {
    kind: 'factorize',
    config: { model: MODEL, output: '/models/moe', experts: 4, topK: 1, routerHidden: 8 },
    field: 'config.routerHidden',
  },
  { kind: 'finetune', config: { ...FINETUNE, teacher: '' }, field: 'config.teacher' },
  {
    kind: 'finetune',
    config: { ...FINETUNE, stages: { ...STAGES, router: { steps: 1, learningRate: 'fast' } } },
    field: 'config.stages.router.learningRate',
  },
  {
    kind: 'finetune',
    config: {
      ...FINETUNE,
      stages: { router: { ...STAGES.router, steps: 0 }, joint: { ...STAGES.joint, steps: 0 } },
    },
    field: 'config.stages',
  },
  {
    kind: 'finetune',
    config: {
      ...FINETUNE,
      stages: { ...STAGES, joint: { ...STAGES.joint, train: ['everything'] } },
    },
    field: 'config.stages.joint.train.0',
  },
  {
    kind: 'finetune',
    config: { ...FINETUNE, loss: { pa: -0.05 } },
    field: 'config.loss.pa',
  },
  { kind: 'eval', config: { teacher: MODEL }, field: 'config.student' },
  {
    kind: 'eval',
    config: { teacher: MODEL, student: '/models/student', split: 'train' },
    field: 'config.split',
  },
  {
    kind: 'eval',
    config: { teacher: MODEL, student: '/models/student', tasks: 'cloze.jsonl' },
    field: 'config.tasks',
  },
  {
    kind: 'pipeline',
    config: { ...PIPELINE, factorize: { experts: 2, topK: 3 } },
    field: 'config.factorize.topK',
  },
  {
    kind: 'pipeline',
    config: { ...PIPELINE, finetune: { stages: STAGES, teacher: '/elsewhere' } },
    field: 'config.finetune.teacher',
  },
  { kind: 'pipeline', config: { ...PIPELINE, bench: { genLen: 1 } }, field: 'config.bench.genLen' },
);

const label = (c: InvalidConfig) => `${c.kind} ${JSON.stringify(c.config)} -> ${c.field}`;

describe('the invalid configs', () => {
  it('cover every job kind of the catalogue', () => {
    const kinds = new Set(INVALID.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(Object.keys(jobCatalogue).sort());
  });
});

describe.each(databaseTargets())('invalid experiment configs on the $name PostgreSQL', (target) => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    api = await startTestApi(database);
  });
  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it.each(INVALID.map((c) => ({ ...c, name: label(c) })))(
    'over HTTP: $name',
    async ({ kind, config, field }) => {
      const before = await rowCounts(database);
      const response = await api.gql(QUEUE, { input: { kind, config } });
      expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors?.[0]?.extensions?.field).toBe(field);
      expect(response.errors?.[0]?.message).toMatch(
        new RegExp(`^${field.replace('.', '\\.')}: .+`),
      );
      expect(await rowCounts(database)).toEqual(before);
      await expectServesNormally(api);
    },
  );

  it.each(INVALID.map((c) => ({ ...c, name: label(c) })))(
    'over WebSocket: $name',
    async ({ kind, config, field }) => {
      const before = await rowCounts(database);
      const client = wsClientFrom(api.url, undefined);
      const { results, error } = await runOverWebSocket(client, QUEUE, { input: { kind, config } });
      await client.dispose();
      expect(error).toBeUndefined();
      expect(results[0]?.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(results[0]?.errors?.[0]?.extensions?.field).toBe(field);
      expect(await rowCounts(database)).toEqual(before);
    },
  );
});
