import { describe, expect, it } from 'vitest';
import { factorisationParts, type Factorisation } from '../../web/lib/factorisation.ts';

const n4k1: Factorisation = {
  dense: false,
  experts: 4,
  topK: 1,
  split: 'sequential',
  router: 'linear',
  gating: 'factorllm',
  sharedExpertSize: 0,
  priorApproximation: false,
  distillation: true,
  label: 'N4 k1 sequential linear factorllm no PA KD',
};

describe('factorisation parts', () => {
  it('lists N, k, split, router, gating, PA and KD in order, losses as on/off', () => {
    expect(factorisationParts(n4k1).map(({ name, value }) => `${name}=${value}`)).toEqual([
      'N=4',
      'k=1',
      'split=sequential',
      'router=linear',
      'gating=factorllm',
      'PA=off',
      'KD=on',
    ]);
  });

  it('leaves out what the config does not say, and shows a dense model as dense alone', () => {
    const bench = {
      ...n4k1,
      router: null,
      gating: null,
      priorApproximation: null,
      distillation: null,
    };
    expect(factorisationParts(bench).map(({ name }) => name)).toEqual(['N', 'k', 'split']);
    const dense = { ...n4k1, dense: true, experts: null, topK: null, label: 'dense' };
    expect(factorisationParts(dense)).toEqual([
      { name: 'dense', value: 'dense', title: 'no experts' },
    ]);
  });
});
