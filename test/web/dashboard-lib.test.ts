import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TRAINING_METRICS, layerMetric } from '../../gpu/src/train/metric-keys.ts';
import { summarizeVaryingConfig, varyingConfigKeys } from '../../web/lib/config-summary.ts';
import { chartGroups, inChartOrder } from '../../web/lib/metric-groups.ts';
import { isBeyondBound, spreadOf } from '../../web/lib/noise.ts';
import { configPatch } from '../../web/lib/run-actions.ts';
import { shortDeviceName } from '../../web/lib/runs.ts';
import {
  experimentFilter,
  experimentsHref,
  parseExperimentsQuery,
} from '../../web/lib/experiments.ts';
import { chosenRunColumns, DEFAULT_RUN_COLUMNS } from '../../web/lib/runs-columns.ts';
import { parseRunsQuery, runFilter, runOrder, runsHref } from '../../web/lib/runs-query.ts';
import {
  FieldError,
  formFields,
  readFieldValue,
  setPath,
  type JsonSchema,
} from '../../web/lib/schema-form.ts';

describe('config cells', () => {
  const base = { model: '/m', experts: 4, optim: { lr: 0.001 } };
  it('finds the keys that vary across rows, a key some rows lack included', () => {
    expect(varyingConfigKeys([base, { ...base, experts: 8 }, { ...base, topK: 1 }])).toEqual([
      'experts',
      'topK',
    ]);
    expect(varyingConfigKeys([base, base])).toEqual([]);
  });

  it('shows the varying keys first, then what fits, counting the rest', () => {
    expect(summarizeVaryingConfig({ ...base, seed: 3, batch: 1 }, ['seed'], 3)).toEqual({
      varied: 'seed=3',
      rest: 'batch=1 experts=4',
      more: 2,
    });
  });
});

describe('device labels', () => {
  it('cuts a description to the adapter name', () => {
    expect(shortDeviceName('llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1')).toBe('llvmpipe');
    expect(shortDeviceName('llvmpipe (LLVM 19.1.7, 256 bits)')).toBe('llvmpipe');
    expect(shortDeviceName('NVIDIA H200')).toBe('NVIDIA H200');
    expect(shortDeviceName('A very long adapter name without any separator')).toHaveLength(24);
  });
});

describe('repeated measurements', () => {
  it('gives mean, range and sample deviation, checked against a direct computation', () => {
    const spread = spreadOf([100, 120, 110])!;
    expect(spread.mean).toBe(110);
    expect([spread.min, spread.max, spread.count]).toEqual([100, 120, 3]);
    expect(spread.stdDev).toBeCloseTo(10, 12);
    expect(spread.relativeRange).toBeCloseTo(20 / 110, 12);
    expect(spreadOf([5])!.stdDev).toBe(0);
    expect(spreadOf([])).toBeNull();
  });

  it('calls an efficiency past 1 noise', () => {
    expect([isBeyondBound(1), isBeyondBound(1.02), isBeyondBound(0.4)]).toEqual([
      false,
      true,
      false,
    ]);
  });
});

describe('run page charts', () => {
  it('overlays the losses, draws a per-layer key with a line per layer, then the rest', () => {
    const keys = [
      'tokens_per_s',
      TRAINING_METRICS.validationLoss,
      layerMetric(10, 'router_accuracy'),
      TRAINING_METRICS.trainLoss,
      layerMetric(2, 'router_accuracy'),
      TRAINING_METRICS.learningRate,
    ];
    expect(chartGroups(keys)).toEqual([
      {
        title: 'losses',
        lines: [
          { key: 'train_loss', label: 'train_loss' },
          { key: 'val_loss', label: 'val_loss' },
        ],
      },
      {
        title: 'router_accuracy per layer',
        lines: [
          { key: 'layers.2.router_accuracy', label: 'layer 2' },
          { key: 'layers.10.router_accuracy', label: 'layer 10' },
        ],
      },
      { title: 'learning_rate', lines: [{ key: 'learning_rate', label: 'learning_rate' }] },
      { title: 'tokens_per_s', lines: [{ key: 'tokens_per_s', label: 'tokens_per_s' }] },
    ]);
  });

  it('fetches the keys charted first when only some fit: a pipeline run’s losses before its tail', () => {
    // A pipeline run reports dozens of evaluation and per-layer keys that sort before train_loss.
    const tail = Array.from({ length: 60 }, (_, i) => `baseline.router_${i}.accuracy`);
    const layered = [0, 1, 2, 3].map((layer) => layerMetric(layer, 'pa_loss'));
    const ordered = inChartOrder([...tail, ...layered, 'grad_norm', TRAINING_METRICS.trainLoss]);
    expect(ordered.slice(0, 6)).toEqual(['train_loss', ...layered, 'grad_norm']);
    expect(ordered).toHaveLength(66);
  });
});

describe('clone and edit', () => {
  it('sends only what changed, and names what was removed', () => {
    const base = { size: 8, optim: { lr: 0.1, betas: [0.9, 0.95] }, seed: 1 };
    expect(configPatch(base, { size: 16, optim: { lr: 0.1, betas: [0.9, 0.99] } })).toEqual({
      patch: { size: 16, optim: { betas: [0.9, 0.99] } },
      removed: ['seed'],
    });
  });
});

describe('the runs page URL', () => {
  it('reads filters and sort, turns them into the API input, and writes them back', () => {
    const query = parseRunsQuery({
      status: ['failed,running', 'bogus'],
      kind: 'pretrain',
      sort: 'metric:gflops',
      dir: 'asc',
    });
    expect(runFilter(query)).toEqual({ status: ['RUNNING', 'FAILED'], kind: ['pretrain'] });
    expect(runOrder(query)).toEqual({ metricKey: 'gflops', direction: 'ASC' });
    expect(runsHref(query)).toBe(
      '/?status=running%2Cfailed&kind=pretrain&sort=metric%3Agflops&dir=asc',
    );
    expect(runOrder(parseRunsQuery({ sort: 'nonsense' }))).toEqual({
      field: 'QUEUED_AT',
      direction: 'DESC',
    });
    expect(runsHref(parseRunsQuery({}))).toBe('/');
  });

  it('keeps the text filter as q, trimmed, beside the other filters and across pages', () => {
    const query = parseRunsQuery({ q: '  out of memory ', tag: 'demo', after: 'cursor' });
    expect(query.text).toBe('out of memory');
    expect(runFilter(query)).toEqual({ tags: ['demo'], text: 'out of memory' });
    expect(runsHref(query, { after: 'next' })).toBe('/?q=out+of+memory&tag=demo&after=next');
    // A new text starts at page one; none (or blanks) filters nothing.
    expect(runsHref(query, { text: '1a2b' })).toBe('/?q=1a2b&tag=demo');
    expect(runFilter(parseRunsQuery({ q: '   ' }))).toBeNull();
  });

  it('shows the columns the URL names, else those remembered, else all; links carry a choice', () => {
    expect(parseRunsQuery({}).columns).toEqual([...DEFAULT_RUN_COLUMNS]);
    // A GET form sends the id column and each ticked box; the table keeps its own order.
    const chosen = parseRunsQuery({ cols: ['run', 'duration', 'status'] }, 'run,device');
    expect([chosen.columns, chosen.columnsChosen]).toEqual([['status', 'duration'], true]);
    expect(runsHref(chosen, { sort: 'progress' })).toBe(
      '/?sort=progress&dir=desc&cols=run%2Cstatus%2Cduration',
    );
    // No optional column at all is a choice too, not a fall back to the default.
    expect(parseRunsQuery({ cols: 'run' }, 'run,device').columns).toEqual([]);
    const remembered = parseRunsQuery({}, 'run,device,bogus');
    expect([remembered.columns, remembered.columnsChosen]).toEqual([['device'], true]);
    // Names the table lacks say nothing: the remembered choice or the default applies.
    expect(parseRunsQuery({ cols: 'nothing' }, 'run,kind').columns).toEqual(['kind']);
    expect(chosenRunColumns('nothing', 'bogus')).toEqual([...DEFAULT_RUN_COLUMNS]);
    expect(runsHref(parseRunsQuery({}, 'garbage'))).toBe('/');
  });
});

describe('the experiments page URL', () => {
  it('reads the name search and kinds into the API filter and writes them back', () => {
    const query = parseExperimentsQuery({
      q: '  sweep ',
      kind: ['selftest,factorize'],
      after: 'c',
    });
    expect(experimentFilter(query)).toEqual({
      nameContains: 'sweep',
      kind: ['selftest', 'factorize'],
    });
    expect(experimentsHref(query)).toBe('/experiments?q=sweep&kind=selftest%2Cfactorize');
    expect(experimentsHref(query, { after: 'next' })).toBe(
      '/experiments?q=sweep&kind=selftest%2Cfactorize&after=next',
    );
    expect(experimentFilter(parseExperimentsQuery({ q: ' ' }))).toBeNull();
    expect(experimentsHref(parseExperimentsQuery({}))).toBe('/experiments');
  });
});

describe('queue forms from job schemas', () => {
  const schema = z.toJSONSchema(
    z.strictObject({
      model: z.string().min(1).describe('checkpoint folder'),
      size: z.int().min(1).max(2048).default(256),
      split: z.enum(['sequential', 'random']).default('sequential'),
      betas: z.tuple([z.number(), z.number()]).default([0.9, 0.95]),
      training: z.strictObject({ steps: z.int().positive(), lr: z.number().optional() }),
    }),
    { io: 'input' },
  ) as JsonSchema;

  it('turns each leaf into a field, nested objects into dotted paths', () => {
    const fields = formFields(schema);
    expect(fields.map((field) => [field.path, field.kind, field.required])).toEqual([
      ['model', 'string', true],
      ['size', 'integer', false],
      ['split', 'enum', false],
      ['betas', 'json', false],
      ['training.steps', 'integer', true],
      ['training.lr', 'number', false],
    ]);
    const size = fields.find((field) => field.path === 'size')!;
    expect([size.minimum, size.maximum, size.defaultValue]).toEqual([1, 2048, 256]);
    expect(fields.find((field) => field.path === 'split')!.options).toEqual([
      'sequential',
      'random',
    ]);
    expect(fields.find((field) => field.path === 'training.steps')!.maximum).toBeNull();
  });

  it('reads typed values into a config, blanks left to the defaults', () => {
    const fields = formFields(schema);
    const config: Record<string, unknown> = {};
    const typed: Record<string, string> = {
      model: ' /m ',
      size: '',
      betas: '[0.8, 0.9]',
      'training.steps': '12',
    };
    for (const field of fields) {
      const value = readFieldValue(field, typed[field.path] ?? '');
      if (value !== undefined) setPath(config, field.path, value);
    }
    expect(config).toEqual({ model: '/m', betas: [0.8, 0.9], training: { steps: 12 } });
    const size = fields.find((field) => field.path === 'size')!;
    expect(() => readFieldValue(size, 'many')).toThrow(FieldError);
  });
});
