import {
  scorePerplexity,
  trainAddOneUnigram,
  trainKneserNeyBigram,
  type PerplexityScore,
} from './baselines.ts';
import type { BrownData } from './prepare.ts';
import { parseSplitName } from './split.ts';

export interface BaselineScores {
  readonly unigram: PerplexityScore;
  readonly bigram: PerplexityScore & {
    readonly bigramDiscount: number;
    readonly continuationDiscount: number;
  };
}

/** The add-one unigram and Kneser-Ney bigram, trained on the train split, scored on `split`. */
export function brownBaselines(data: BrownData, split = 'test'): BaselineScores {
  const tokens = data.splits[parseSplitName(split)];
  const words = data.wordsPerSplit[parseSplitName(split)];
  const unigram = trainAddOneUnigram(data.splits.train, data.vocabSize);
  const bigram = trainKneserNeyBigram(data.splits.train, data.vocabSize);
  return {
    unigram: scorePerplexity(unigram, tokens, words),
    bigram: {
      ...scorePerplexity(bigram, tokens, words),
      bigramDiscount: bigram.bigramDiscount,
      continuationDiscount: bigram.continuationDiscount,
    },
  };
}
