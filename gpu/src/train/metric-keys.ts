/**
 * The metric keys training jobs report, in one place: the dashboard and the CLI read runs by
 * these names. Values are per optimizer step unless said otherwise.
 */
export const TRAINING_METRICS = {
  /** Mean next-token cross-entropy (nats) of the step's batches. */
  trainLoss: 'train_loss',
  learningRate: 'learning_rate',
  /** Global L2 norm of the gradients before clipping. */
  gradNorm: 'grad_norm',
  /** Training tokens processed per second over the step (forward, backward, optimizer). */
  tokensPerS: 'tokens_per_s',
  /** Tokens trained on so far. */
  tokensSeen: 'tokens_seen',
  /** Mean next-token cross-entropy over the held-out validation split (at evaluation steps). */
  validationLoss: 'val_loss',
  validationPerplexity: 'val_perplexity',
  /** At the end of a finished run: the test split, scored once (nats per token). */
  testLoss: 'test_loss',
  testPerplexity: 'test_perplexity',
  /** exp(total loss / words): comparable across tokenizers. */
  testPerplexityPerWord: 'test_perplexity_per_word',
  /** Baselines of the same tokenizer on the same split, trained on the train split. */
  unigramTestPerplexity: 'unigram_test_perplexity',
  bigramTestPerplexity: 'bigram_test_perplexity',
  bigramTestPerplexityPerWord: 'bigram_test_perplexity_per_word',
} as const;
