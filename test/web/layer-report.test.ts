import { describe, expect, it } from 'vitest';
import type { RunComparison } from '../../web/lib/compare.ts';
import { decodeBars } from '../../web/lib/decode-bars.ts';
import { isExpertLoadKey, layerReport } from '../../web/lib/layer-report.ts';

const metric = (key: string, value: number) => ({ key, value });

describe('layerReport', () => {
  it('gathers each layer of a factorised run, the experts in order, gaps as null', () => {
    const report = layerReport([
      metric('layers.1.expert_load.2', 0.5),
      metric('layers.0.router_accuracy', 0.6),
      metric('layers.0.expert_load.0', 0.7),
      metric('layers.0.expert_load.1', 0.3),
      metric('layers.1.rel_error', 0.2),
      metric('layers.1.load_entropy', 0.69),
      metric('layers.1.pa_loss', 0.1), // a curve's key, not the panel's
      metric('retention', 0.9),
    ]);
    expect(report).toEqual({
      experts: 3,
      layers: [
        {
          layer: 0,
          routerAccuracy: 0.6,
          relError: null,
          loadEntropy: null,
          expertLoad: [0.7, 0.3, null],
        },
        {
          layer: 1,
          routerAccuracy: null,
          relError: 0.2,
          loadEntropy: 0.69,
          expertLoad: [null, null, 0.5],
        },
      ],
    });
  });

  it('is null for a run without per-layer figures (a dense model, a selftest)', () => {
    expect(layerReport([metric('retention', 1), metric('layers.0.pa_loss', 1)])).toBeNull();
    expect(layerReport([])).toBeNull();
  });

  it('tells an expert share key from the other per-layer keys', () => {
    expect(isExpertLoadKey('layers.3.expert_load.12')).toBe(true);
    expect(isExpertLoadKey('layers.3.load_entropy')).toBe(false);
    expect(isExpertLoadKey('expert_load.1')).toBe(false);
    expect(isExpertLoadKey('layers.3.expert_load.x')).toBe(false);
  });
});

describe('decodeBars', () => {
  const run = (id: string, label: string | null) => ({
    id,
    name: id,
    kind: label === null ? 'pretrain' : 'pipeline',
    status: 'SUCCEEDED' as const,
    device: { description: 'llvmpipe (LLVM 19.1.7, 256 bits)', isCpu: true },
    factorisation:
      label === null ? null : ({ label } as RunComparison['runs'][number]['factorisation']),
  });

  it('keeps the runs that measured decode, each with the dense speed of its own run', () => {
    const comparison: RunComparison = {
      runs: [
        run('11111111-0000-0000-0000-000000000000', 'N4 k1'),
        run('22222222-0000-0000-0000-000000000000', null),
        run('33333333-0000-0000-0000-000000000000', 'N4 k2'),
      ],
      config: [],
      metrics: [
        { key: 'decode_tok_s', values: [200, null, 150] },
        { key: 'dense_decode_tok_s', values: [100, null, null] },
      ],
    };
    expect(decodeBars(comparison)).toEqual([
      {
        runId: '11111111-0000-0000-0000-000000000000',
        label: '11111111 · N4 k1 · llvmpipe',
        decodeTokS: 200,
        denseDecodeTokS: 100,
      },
      {
        runId: '33333333-0000-0000-0000-000000000000',
        label: '33333333 · N4 k2 · llvmpipe',
        decodeTokS: 150,
        denseDecodeTokS: null,
      },
    ]);
  });
});
