/**
 * The data and model of the pretraining tests: a 512-token vocabulary and a two-layer model small
 * enough for lavapipe to train a step in well under a second (the tokenizer is built once, in
 * .lab/data, and shared).
 */
export const TINY_PRETRAIN = {
  data: { vocabSize: 512 },
  model: { hiddenSize: 32, intermediateSize: 88, layers: 2, heads: 4, kvHeads: 2 },
} as const;
