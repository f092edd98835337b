import { describe, expect, it } from 'vitest';
import {
  scorePerplexity,
  trainAddOneUnigram,
  trainKneserNeyBigram,
  type TokenModel,
} from '../../../src/train/data/index.ts';

function sumOver(model: TokenModel, previous: number): number {
  let sum = 0;
  for (let next = 0; next < model.vocabSize; next++) sum += model.probability(previous, next);
  return sum;
}

describe('the add-one unigram baseline', () => {
  it('matches a hand computation on a tiny corpus', () => {
    // Targets of [0 1 0 1 2] are 1 0 1 2: counts 1, 2, 1 of 4; vocabulary 3, so p = 2/7, 3/7, 2/7.
    const model = trainAddOneUnigram([0, 1, 0, 1, 2], 3);
    expect(model.probability(0, 1)).toBeCloseTo(3 / 7, 12);
    const score = scorePerplexity(model, [0, 1, 2], 1);
    expect(score.targets).toBe(2);
    expect(score.totalLoss).toBeCloseTo(-Math.log(3 / 7) - Math.log(2 / 7), 12);
    expect(score.tokenPerplexity).toBeCloseTo(7 / Math.sqrt(6), 12);
    expect(score.wordPerplexity).toBeCloseTo(49 / 6, 12);
    expect(sumOver(model, 0)).toBeCloseTo(1, 12);
  });
});

describe('the interpolated Kneser-Ney bigram baseline', () => {
  // Bigrams of [0 1 0 1 2 1]: 0 1 twice, 1 0, 1 2, 2 1. Vocabulary 4: token 3 never occurs.
  const TRAIN = [0, 1, 0, 1, 2, 1];

  it('estimates its discounts as n1 / (n1 + 2 n2)', () => {
    const model = trainKneserNeyBigram(TRAIN, 4);
    // Bigram counts 2, 1, 1, 1: n1 = 3, n2 = 1. Continuation counts N1+(. w) 1, 2, 1: n1 = 2, n2 = 1.
    expect(model.bigramDiscount).toBeCloseTo(3 / 5, 12);
    expect(model.continuationDiscount).toBeCloseTo(2 / 4, 12);
  });

  it('matches a hand computation on a tiny corpus', () => {
    const model = trainKneserNeyBigram(TRAIN, 4, {
      bigramDiscount: 0.5,
      continuationDiscount: 0.5,
    });
    // 4 bigram types, 3 continued tokens: p_kn(w) = max(N1+(. w) - 1/2, 0) / 4 + (1/2)(3/4)/4,
    // so p_kn = 7/32, 15/32, 7/32, 3/32 for tokens 0 to 3.
    // c(0 .) = 2 with 1 type, c(1 .) = 2 with 2 types, c(2 .) = 1 with 1 type, 3 unseen:
    const expected = {
      '0 1': 1.5 / 2 + 0.5 * (1 / 2) * (15 / 32), // 111/128
      '1 2': 0.5 / 2 + 0.5 * (2 / 2) * (7 / 32), // 23/64
      '2 3': 0 + 0.5 * (1 / 1) * (3 / 32), // 3/64
      '3 0': 7 / 32, // an unseen context falls back to p_kn
    };
    expect(model.probability(0, 1)).toBeCloseTo(111 / 128, 12);
    for (const [pair, probability] of Object.entries(expected)) {
      const [previous, next] = pair.split(' ').map(Number) as [number, number];
      expect(model.probability(previous, next), pair).toBeCloseTo(probability, 12);
    }
    const score = scorePerplexity(model, [0, 1, 2, 3, 0], 2);
    const loss = -Math.log(111 / 128) - Math.log(23 / 64) - Math.log(3 / 64) - Math.log(7 / 32);
    expect(score.totalLoss).toBeCloseTo(loss, 12);
    expect(score.tokenPerplexity).toBeCloseTo(Math.exp(loss / 4), 10);
    expect(score.wordPerplexity).toBeCloseTo(Math.exp(loss / 2), 10);
  });

  it('sums to 1 over the vocabulary in seen and unseen contexts', () => {
    const random = (() => {
      let state = 7;
      return () => (state = (state * 48271) % 2147483647) / 2147483647;
    })();
    const tokens = Array.from({ length: 5000 }, () => Math.floor(random() ** 2 * 300));
    const model = trainKneserNeyBigram(tokens, 400);
    for (const context of [0, 1, 17, 150, 299, 350, 399])
      expect(sumOver(model, context), `context ${context}`).toBeCloseTo(1, 10);
  });

  it('refuses tokens outside the vocabulary and discounts outside (0, 1)', () => {
    expect(() => trainKneserNeyBigram([0, 5], 4)).toThrow(
      'token 5 at 1 is outside the vocabulary (0 to 3)',
    );
    expect(() => trainKneserNeyBigram(TRAIN, 4, { bigramDiscount: 1 })).toThrow(
      'bigramDiscount must lie strictly between 0 and 1, not 1',
    );
  });
});
