import { describe, expect, it } from 'vitest';
import { registeredOps } from '../../src/index.ts';

describe('op registry', () => {
  it('holds every differentiable op, each with a conformance suite in this folder or fused/', () => {
    expect(registeredOps()).toEqual([
      'add',
      'batchMatmul',
      'combineExperts',
      'crossEntropy',
      'embedding',
      'expertMatmul',
      'gatherColumns',
      'klDivergence',
      'logSoftmax',
      'mergeHeads',
      'mul',
      'repeatHeads',
      'rmsNorm',
      'rmsNormRows',
      'rope',
      'scale',
      'scaledCausalSoftmax',
      'silu',
      'softmax',
      'splitHeads',
      'splitHeadsRope',
      'sum',
      'swiglu',
      'tanh',
      'trainingAttention',
    ]);
  });
});
