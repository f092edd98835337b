export {
  brownSplitTexts,
  prepareBrownData,
  prepareBrownDataForModel,
  DEFAULT_DATA_DIRECTORY,
} from './prepare.ts';
export type { BrownData, PerSplit, PrepareBrownDataOptions } from './prepare.ts';
export { createBatchLoader, epochOrder } from './batch-loader.ts';
export type {
  BatchLoader,
  BatchLoaderOptions,
  BatchPosition,
  TrainingBatch,
} from './batch-loader.ts';
export { evaluationBatches } from './evaluation-batches.ts';
export type { EvaluationBatch, EvaluationOptions } from './evaluation-batches.ts';
export type { SplitTokens } from './batch-options.ts';
export { scorePerplexity, trainAddOneUnigram, trainKneserNeyBigram } from './baselines.ts';
export type {
  KneserNeyBigram,
  KneserNeyOptions,
  PerplexityScore,
  TokenModel,
} from './baselines.ts';
export {
  DEFAULT_VOCAB_SIZE,
  END_OF_TEXT,
  MAX_VOCAB_SIZE,
  MIN_VOCAB_SIZE,
  trainByteLevelBpe,
  writeTokenizerFiles,
} from './bpe-tokenizer.ts';
export type { TrainedTokenizer } from './bpe-tokenizer.ts';
export { brownBaselines } from './brown-baselines.ts';
export type { BaselineScores } from './brown-baselines.ts';
export { BROWN_CATEGORIES, readBrownCorpus } from './brown-corpus.ts';
export type { BrownCategory, BrownDocument } from './brown-corpus.ts';
export { brownTaggedToText } from './brown-text.ts';
export { openLabTokenizer } from './lab-tokenizer.ts';
export { assignSplits, parseSplitName, SPLITS } from './split.ts';
export type { SplitName } from './split.ts';
export { countWords } from './token-stream.ts';
