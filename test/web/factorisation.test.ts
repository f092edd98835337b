import { describe, expect, it } from 'vitest';
import { factorisationParts, type Factorisation } from '../../web/lib/factorisation.ts';

const n4k1: Factorisation = {
  dense: false,
  experts: 4,
  topK: 1,
  split: 'sequential',
  router: 'linear',
  gating: 'factorllm',
  sharedExpertSize: 48,
  priorApproximation: false,
  distillation: true,
  ffnDistillation: true,
  label: 'N4 k1 sequential linear factorllm shared 48 no PA KD FFN KD',
};

describe('factorisation parts', () => {
  it('lists N, k, split, router, gating, shared, PA, KD and FFN KD in order, losses as on/off', () => {
    expect(factorisationParts(n4k1).map(({ name, value }) => `${name}=${value}`)).toEqual([
      'N=4',
      'k=1',
      'split=sequential',
      'router=linear',
      'gating=factorllm',
      'shared=48',
      'PA=off',
      'KD=on',
      'FFN KD=on',
    ]);
  });

  it('leaves out what the config does not say, and shows a dense model as dense alone', () => {
    const bench = {
      ...n4k1,
      router: null,
      gating: null,
      sharedExpertSize: 0,
      priorApproximation: null,
      distillation: null,
      ffnDistillation: null,
    };
    expect(factorisationParts(bench).map(({ name }) => name)).toEqual(['N', 'k', 'split']);
    const dense = { ...n4k1, dense: true, experts: null, topK: null, label: 'dense' };
    expect(factorisationParts(dense)).toEqual([
      { name: 'dense', value: 'dense', title: 'no experts' },
    ]);
  });
});
